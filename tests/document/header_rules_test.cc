// The one header validator: every bad header of the shared table is refused
// with its reason and the field named; what agencies really send passes.
#include "bus/document/header_rules.h"

#include <catch2/catch.hpp>

#include "tests/document/bad_headers.h"

namespace docbus::document {
namespace {

using testing::BadHeader;
using testing::BadHeaders;
using testing::GoodHeader;

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

TEST_CASE("a complete header with the usual edXML fields passes",
          "[document]") {
  v1::DocumentHeader h = GoodHeader();
  h.set_content("Kính gửi: UBND tỉnh.\r\nĐề nghị triển khai.");
  h.mutable_signer_info()->set_competence("TL. BỘ TRƯỞNG");
  h.mutable_from()->set_organ_name("Văn phòng Chính phủ");
  h.set_due_date("2028/02/29");
  h.set_priority(v1::PRIORITY_FLASH_SCHEDULED);
  h.set_steering_type(2);
  h.set_business_type(v1::BUSINESS_REPLACE);
  h.set_business_target_document_id("000.00.00.G22,2026/11/01,10/UBND-VP");
  h.add_to_places("Như trên");
  auto* a = h.add_attachments();
  a->set_name("Công văn 12.pdf");
  a->set_media_type("application/pdf");
  a->set_sha256(std::string(32, '\x01'));
  CHECK(CheckDocumentHeader(h).ok());
}

TEST_CASE("a reply may quote its document's date as yyyy-MM-dd", "[document]") {
  // Some senders write the ResponseFor date so; it is a quotation, the
  // DocumentId is the key.
  v1::DocumentHeader h = GoodHeader();
  v1::ResponseFor* r = h.add_response_for();
  r->set_organ_id("000.00.00.H41");
  r->set_promulgation_date("2026-10-01");
  r->set_document_id("000.00.00.H41,2026/10/01,5/UBND");
  CHECK(CheckDocumentHeader(h).ok());
  r->set_promulgation_date("2026-02-30");
  CHECK(CheckDocumentHeader(h).code() == Code::kInvalidField);
}

TEST_CASE("each header of the table is refused, naming its field",
          "[document]") {
  for (const BadHeader& bad : BadHeaders()) {
    INFO(bad.what);
    v1::DocumentHeader h = GoodHeader();
    bad.spoil(h);
    const Status s = CheckDocumentHeader(h);
    CHECK(CodeName(s.code()) == CodeName(bad.code));
    INFO(s.message());
    CHECK(StartsWith(s.message(), bad.field + ": "));
  }
}

TEST_CASE("a request is the header without what the agent fills in",
          "[document]") {
  v1::DocumentHeader h = GoodHeader();
  h.clear_message_id();
  h.clear_from();
  h.clear_created_unix_ms();
  h.clear_document_id();  // derived from the code when the agent signs
  CHECK(CheckDocumentRequest(h).ok());
  CHECK(CheckDocumentHeader(h).code() == Code::kInvalidField);
  // What the request holds is judged all the same.
  h.set_document_id("nonsense");
  CHECK(StartsWith(CheckDocumentRequest(h).message(), "document_id: "));
}

TEST_CASE("more attachments than the limit are too large", "[document]") {
  HeaderLimits limits;
  limits.max_attachments = 1;
  v1::DocumentHeader h = GoodHeader();
  for (const char* name : {"a.pdf", "b.pdf"}) {
    auto* a = h.add_attachments();
    a->set_name(name);
    a->set_media_type("application/pdf");
    a->set_sha256(std::string(32, 'x'));
  }
  CHECK(CheckDocumentHeader(h, limits).code() == Code::kTooLarge);
  limits.max_attachments = 2;
  CHECK(CheckDocumentHeader(h, limits).ok());
  h.mutable_attachments(1)->set_name("a.pdf");
  CHECK(StartsWith(CheckDocumentHeader(h, limits).message(),
                   "attachments[1].name: duplicate"));
}

TEST_CASE("text that is not UTF-8 is refused by field", "[document]") {
  v1::DocumentHeader h = GoodHeader();
  h.mutable_staff_info()->set_staff("Tr\xe1\xba");  // cut in the middle
  const Status s = CheckDocumentHeader(h);
  CHECK(s.code() == Code::kInvalidField);
  CHECK(StartsWith(s.message(), "staff_info.staff: "));
}

}  // namespace
}  // namespace docbus::document
