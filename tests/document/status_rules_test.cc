// The one status validator: what each status may say and to whom.
#include "bus/document/status_rules.h"

#include <catch2/catch.hpp>

#include "bus/core/clock.h"
#include "bus/core/ids.h"

namespace docbus::document {
namespace {

v1::StatusBody GoodStatus() {
  static const FakeClock clock;
  v1::StatusBody b;
  b.set_status_id(NewMessageId(clock));
  b.set_message_id(NewMessageId(clock));
  b.mutable_from()->set_organ_id("000.00.00.H41");
  b.set_to("000.00.00.G22");
  b.set_code(v1::STATUS_ACCEPTED);
  b.mutable_response_for()->set_document_id(
      "000.00.00.G22,2026/11/28,12/UBND-VP");
  return b;
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

TEST_CASE("a status message is checked field by field", "[document]") {
  CHECK(CheckStatusBody(GoodStatus()).ok());
  struct Case {
    const char* what;
    void (*spoil)(v1::StatusBody&);
    const char* field;
  };
  const Case cases[] = {
      {"bad status id", [](v1::StatusBody& b) { b.set_status_id("x"); },
       "status_id"},
      {"bad document id", [](v1::StatusBody& b) { b.set_message_id("x"); },
       "message_id"},
      {"to oneself", [](v1::StatusBody& b) { b.set_to("000.00.00.H41"); },
       "to"},
      {"code 7",
       [](v1::StatusBody& b) { b.set_code(static_cast<v1::StatusCode>(7)); },
       "code"},
      {"a refusal without its reason",
       [](v1::StatusBody& b) { b.set_code(v1::STATUS_REFUSED); },
       "description"},
      {"a description over 2000 bytes",
       [](v1::StatusBody& b) { b.set_description(std::string(2001, 'd')); },
       "description"},
      {"a quoted date that is no date",
       [](v1::StatusBody& b) {
         b.mutable_response_for()->set_promulgation_date("01/10/2026");
       },
       "response_for.promulgation_date"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    v1::StatusBody b = GoodStatus();
    c.spoil(b);
    const Status s = CheckStatusBody(b);
    CHECK(s.code() == Code::kInvalidField);
    INFO(s.message());
    CHECK(StartsWith(s.message(), std::string(c.field) + ": "));
  }
}

TEST_CASE("a refusal with its reason and a quoted yyyy-MM-dd date pass",
          "[document]") {
  v1::StatusBody b = GoodStatus();
  b.set_code(v1::STATUS_REFUSED);
  b.set_description("Gửi nhầm\nđơn vị");
  b.mutable_response_for()->set_promulgation_date("2026-11-28");
  CHECK(CheckStatusBody(b).ok());
}

}  // namespace
}  // namespace docbus::document
