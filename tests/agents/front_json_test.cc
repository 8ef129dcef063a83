// The JSON forms of the agent's front ends: what an agency system writes is
// what the agent signs, and every bad field is refused by name.
#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>
#include <string>

#include "agents/json_codec.h"
#include "bus/core/base64.h"
#include "tests/agents/front_fake_service.h"

namespace docbus::agent {
namespace {

constexpr int64_t kNow = 1'780'000'000'000;

const char kFullDocument[] = R"({
  "to": ["000.00.00.H41", "000.00.00.G01"],
  "subject": "Về việc triển khai trục liên thông",
  "content": "Kính gửi: UBND tỉnh.\nĐề nghị triển khai.",
  "code": {"number": "12", "notation": "UBND-VP"},
  "promulgation": {"place": "Hà Nội", "date": "2026/11/28"},
  "document_type": {"type": 1, "detail": 0, "name": "Công văn"},
  "signer": {"competence": "TL. BỘ TRƯỞNG", "position": "Chánh Văn phòng",
             "full_name": "Nguyễn Văn A"},
  "from": {"organ_name": "Văn phòng Chính phủ", "email": "vt@example.gov.vn"},
  "staff_info": {"department": "Văn thư", "staff": "Trần Thị B"},
  "due_date": "2026/12/05",
  "priority": 3,
  "steering_type": 1,
  "business": {"type": 2, "target_document_id": "000.00.00.G22,2026/11/01,10/UBND-VP",
               "reason": "Cập nhật"},
  "response_for": [{"organ_id": "000.00.00.H41", "code": "5/UBND",
                    "promulgation_date": "2026/10/01",
                    "document_id": "000.00.00.H41,2026/10/01,5/UBND"}],
  "to_places": ["Như trên", "Lưu: VT"],
  "document_id": "000.00.00.G22,2026/11/28,12/UBND-VP",
  "expires_in_s": 3600,
  "attachments": [{"name": "cv.pdf", "media_type": "application/pdf",
                   "data_base64": "JVBERi0xLjQKAP8="}]
})";

TEST_CASE("a full document JSON fills every edXML field the agency gave",
          "[front][json]") {
  auto parsed = DocumentRequestFromJson(kFullDocument, kNow);
  REQUIRE(parsed.ok());
  const v1::DocumentHeader& h = parsed->header;
  REQUIRE(h.to_size() == 2);
  CHECK(h.to(1).organ_id() == "000.00.00.G01");
  CHECK(h.subject() == "Về việc triển khai trục liên thông");
  CHECK(h.content() == "Kính gửi: UBND tỉnh.\nĐề nghị triển khai.");
  CHECK(h.code().code_number() == "12");
  CHECK(h.code().code_notation() == "UBND-VP");
  CHECK(h.promulgation_info().promulgation_date() == "2026/11/28");
  CHECK(h.document_type().type_name() == "Công văn");
  CHECK(h.signer_info().full_name() == "Nguyễn Văn A");
  CHECK(h.from().organ_id().empty());  // the agent sets its own
  CHECK(h.from().organ_name() == "Văn phòng Chính phủ");
  CHECK(h.staff_info().staff() == "Trần Thị B");
  CHECK(h.priority() == v1::PRIORITY_FLASH);
  CHECK(h.steering_type() == 1);
  CHECK(h.business_type() == v1::BUSINESS_UPDATE);
  CHECK(h.response_for(0).document_id() == "000.00.00.H41,2026/10/01,5/UBND");
  CHECK(h.to_places_size() == 2);
  CHECK(h.document_id() == "000.00.00.G22,2026/11/28,12/UBND-VP");
  CHECK(h.expires_unix_ms() == kNow + 3'600'000);
  REQUIRE(parsed->attachments.size() == 1);
  CHECK(parsed->attachments[0].data == std::string("%PDF-1.4\n\0\xff", 11));

  // Rendering and parsing again gives the same request.
  const std::string again = DumpJson(RenderDocumentRequest(*parsed));
  auto reparsed = DocumentRequestFromJson(again, kNow);
  REQUIRE(reparsed.ok());
  CHECK(
      google::protobuf::util::MessageDifferencer::Equals(reparsed->header, h));
  CHECK(reparsed->attachments[0].data == parsed->attachments[0].data);
}

TEST_CASE("a minimal document JSON leaves every optional field out",
          "[front][json]") {
  auto parsed = DocumentRequestFromJson(
      R"({"to": ["000.00.00.H41"], "subject": "S",
          "code": {"number": "1", "notation": "VP"}, "signer": null})",
      kNow);
  REQUIRE(parsed.ok());
  const v1::DocumentHeader& h = parsed->header;
  CHECK_FALSE(h.has_signer_info());
  CHECK_FALSE(h.has_from());
  CHECK_FALSE(h.has_staff_info());
  CHECK_FALSE(h.has_promulgation_info());
  CHECK(h.expires_unix_ms() == 0);
  CHECK(h.priority() == v1::PRIORITY_NORMAL);
  CHECK(parsed->attachments.empty());
}

TEST_CASE("each bad field is refused with its JSON path", "[front][json]") {
  struct Case {
    std::string json;
    Code code;
    std::string starts_with;
  };
  const std::string base =
      R"("subject": "S", "code": {"number": "1", "notation": "VP"})";
  const std::vector<Case> cases = {
      {"{", Code::kMalformed, "not valid JSON"},
      {"[1]", Code::kInvalidField, "document: must be an object"},
      {R"({"subject": "S", "code": {"number": "1", "notation": "VP"}})",
       Code::kInvalidField, "to: is required"},
      {R"({"to": [], )" + base + "}", Code::kInvalidField, "to: is required"},
      {R"({"to": ["H41"], )" + base + "}", Code::kInvalidField,
       "to[0]: agency id"},
      {R"({"to": ["000.00.00.H41", "000.00.00.H41"], )" + base + "}",
       Code::kInvalidField, "to[1]: duplicate"},
      {R"({"to": ["000.00.00.H41"], "code": {"number": "1", "notation": "VP"}})",
       Code::kInvalidField, "subject: is required"},
      {R"({"to": ["000.00.00.H41"], "subject": "a\u0007b", "code": {"number": "1", "notation": "VP"}})",
       Code::kInvalidField, "subject: contains a control character"},
      {R"({"to": ["000.00.00.H41"], "subject": "S", "code": {"number": "1x", "notation": "VP"}})",
       Code::kInvalidField, "code.number: must be digits"},
      {R"({"to": ["000.00.00.H41"], "subjet": "S", )" + base.substr(15) + "}",
       Code::kInvalidField, "subjet: unknown field"},
      {R"({"to": ["000.00.00.H41"], "priority": 7, )" + base + "}",
       Code::kInvalidField, "priority: must be 0 to 4"},
      {R"({"to": ["000.00.00.H41"], "priority": "1", )" + base + "}",
       Code::kInvalidField, "priority: must be an integer"},
      {R"({"to": ["000.00.00.H41"], "due_date": "2026/02/30", )" + base + "}",
       Code::kInvalidField, "due_date: date out of range"},
      {R"({"to": ["000.00.00.H41"], "business": {"type": 1}, )" + base + "}",
       Code::kInvalidField, "business.target_document_id: is required"},
      {R"({"to": ["000.00.00.H41"], "from": {"organ_id": "000.00.00.G01"}, )" +
           base + "}",
       Code::kInvalidField, "from.organ_id"},
      {R"({"to": ["000.00.00.H41"], "attachments": [{"name": "a.pdf", "data_base64": "!!!!"}], )" +
           base + "}",
       Code::kInvalidField, "attachments[0].data_base64: not valid base64"},
      {R"({"to": ["000.00.00.H41"], "attachments": [{"name": "../a.pdf", "data_base64": ""}], )" +
           base + "}",
       Code::kInvalidField, "attachments[0].name: must be a plain file name"},
      {R"({"to": ["000.00.00.H41"], "attachments": [{"name": "a", "file": "a"}], )" +
           base + "}",
       Code::kInvalidField, "attachments[0].file: is only for the drop folder"},
      {R"({"to": ["000.00.00.H41"], "expires_unix_ms": 5, )" + base + "}",
       Code::kInvalidField, "expires_unix_ms: is in the past"},
      {std::string(40, '[') + std::string(40, ']'), Code::kMalformed,
       "JSON nested deeper"},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    auto parsed = DocumentRequestFromJson(c.json, kNow);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == c.code);
    CHECK(parsed.status().message().rfind(c.starts_with, 0) == 0);
  }
}

TEST_CASE("attachments over the limits are refused as too large",
          "[front][json]") {
  JsonLimits limits;
  limits.max_attachment_bytes = 4;
  const std::string doc =
      R"({"to": ["000.00.00.H41"], "subject": "S", "code": {"number": "1", "notation": "VP"},
          "attachments": [{"name": "a", "data_base64": ")" +
      Base64Encode("12345") + R"("}]})";
  auto parsed = DocumentRequestFromJson(doc, kNow, limits);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == Code::kTooLarge);
  CHECK(parsed.status().message().rfind("attachments[0]", 0) == 0);
}

TEST_CASE("base64 keeps every byte and refuses sloppy encodings",
          "[front][json]") {
  // An attachment given as data_base64, as an agency system sends it.
  auto parse = [](const std::string& data_base64) {
    return DocumentRequestFromJson(
        R"({"to": ["000.00.00.H41"], "subject": "S", "code": {"number": "1", "notation": "VP"},
            "attachments": [{"name": "a.bin", "data_base64": ")" +
            data_base64 + R"("}]})",
        kNow);
  };
  const std::string bytes = testing::AllBytes();
  for (size_t n : {0, 1, 2, 3, 4, 5, 767, 768}) {
    auto decoded = Base64Decode(Base64Encode(bytes.substr(0, n)));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == bytes.substr(0, n));
    auto parsed = parse(Base64Encode(bytes.substr(0, n)));
    REQUIRE(parsed.ok());
    REQUIRE(parsed->attachments.size() == 1);
    CHECK(parsed->attachments[0].data == bytes.substr(0, n));
  }
  CHECK(Base64Encode("hi") == "aGk=");
  for (const char* bad : {"aGk", "aG k", "aGl=", "a===", "aGk=aGk=", "aGk\n"}) {
    INFO(bad);
    CHECK_FALSE(Base64Decode(bad).has_value());
    auto parsed = parse(bad == std::string("aGk\n") ? "aGk\\n" : bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == Code::kInvalidField);
    CHECK(parsed.status().message() ==
          "attachments[0].data_base64: not valid base64 (standard alphabet, "
          "padded)");
  }
}

TEST_CASE("a status report takes only edXML codes, and 02 needs a reason",
          "[front][json]") {
  auto ok = StatusReportFromJson(R"({"code": 3, "description": "Đã vào sổ"})");
  REQUIRE(ok.ok());
  CHECK(ok->code == v1::STATUS_ACCEPTED);
  CHECK(ok->description == "Đã vào sổ");
  auto revoke = StatusReportFromJson(R"({"code": 13, "to": "000.00.00.H41"})");
  REQUIRE(revoke.ok());
  CHECK(revoke->to == "000.00.00.H41");
  CHECK(StatusReportFromJson(R"({"code": 2})")
            .status()
            .message()
            .rfind("description", 0) == 0);
  CHECK(StatusReportFromJson(R"({"code": 7})")
            .status()
            .message()
            .rfind("code", 0) == 0);
  CHECK(StatusReportFromJson(R"({"code": 3, "to": "x"})")
            .status()
            .message()
            .rfind("to", 0) == 0);
  CHECK(StatusReportFromJson(R"({"code": 3, "extra": 1})").status().code() ==
        Code::kInvalidField);
}

}  // namespace
}  // namespace docbus::agent
