#include <catch2/catch.hpp>

#include <set>

#include "bus/core/wire_reason.h"

namespace docbus {

TEST_CASE("every refusal code has its own wire reason", "[status]") {
  std::set<int> reasons;
  for (int c = static_cast<int>(Code::kMalformed);
       c <= static_cast<int>(Code::kInternal); ++c) {
    const v1::Reason r = ToWireReason(static_cast<Code>(c));
    CHECK(r != v1::REASON_UNSPECIFIED);
    CHECK(reasons.insert(r).second);
    CHECK(FromWireReason(r) == static_cast<Code>(c));
  }
}

TEST_CASE("a full disk crosses the wire as its own transient reason",
          "[status]") {
  CHECK(ToWireReason(Code::kResourceExhausted) ==
        v1::REASON_RESOURCE_EXHAUSTED);
  CHECK(FromWireReason(v1::REASON_RESOURCE_EXHAUSTED) ==
        Code::kResourceExhausted);
  CHECK(CodeName(Code::kResourceExhausted) == "resource_exhausted");
}

TEST_CASE("Prefixed puts what a failure was about before its message",
          "[status]") {
  const Status why = Status(Code::kInvalidField, "not a date")
                         .Prefixed("due_date")
                         .Prefixed("document.json");
  CHECK(why.code() == Code::kInvalidField);
  CHECK(why.message() == "document.json: due_date: not a date");
  CHECK(Status::Ok().Prefixed("due_date").ok());
  CHECK(Status::Ok().Prefixed("due_date").message().empty());
}

TEST_CASE("Result carries either a value or an error", "[status]") {
  Result<int> good = 7;
  REQUIRE(good.ok());
  CHECK(*good == 7);
  Result<int> bad = Status(Code::kNotFound, "no such agency");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().ToString() == "not_found: no such agency");
}

}  // namespace docbus
