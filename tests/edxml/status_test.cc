// edXML status packets: one sample per code docbus carries, written back
// with explicit prefixes and read again to the same packet; the code table;
// what each code needs.
#include <catch2/catch.hpp>

#include "bus/edxml/edxml_status.h"
#include "tests/edxml/edxml_samples.h"

namespace docbus::edxml {
namespace {

using testing::Replaced;
using testing::Sample;

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

const std::vector<std::pair<std::string, std::string>> kSamples = {
    {"01", "status_inbox_01.edxml"},
    {"02", "status_rejection_02.edxml"},
    {"03", "status_acceptance_03.edxml"},
    {"04", "status_assignment_04.edxml"},
    {"05", "status_processing_05.edxml"},
    {"06", "status_finish_06.edxml"},
    {"13", "status_cancellation_13.edxml"},
    {"15", "status_change-acceptance_15.edxml"},
    {"16", "status_change-rejection_16.edxml"},
};

TEST_CASE("a status packet of each code reads, writes and reads again",
          "[edxml]") {
  for (const auto& [code, file] : kSamples) {
    INFO(file);
    Result<StatusPacket> p = ParseStatus(Sample(file), {});
    INFO(p.status().ToString());
    REQUIRE(p.ok());
    CHECK(p->status_code == code);
    CHECK(p->response_for.organ_id == "000.00.00.G22");
    CHECK(p->response_for.code == "1896/VPCP-TTĐT");
    CHECK(p->response_for.document_id ==
          "000.00.00.G22,2026/11/28,1896/VPCP-TTĐT");
    CHECK(p->from.organ_id ==
          (code == "13" ? "000.00.00.G22" : "000.00.00.H41"));
    CHECK_FALSE(p->description.empty());
    CHECK(p->staff.staff == "Trần Văn B");
    CHECK(p->unmapped.empty());

    const std::string written = WriteStatus(*p);
    CHECK(written.find("<edXML:StatusCode>" + code + "</edXML:StatusCode>") !=
          std::string::npos);
    CHECK(written.find("<Status") == std::string::npos);
    Result<StatusPacket> again = ParseStatus(written, {});
    INFO(again.status().ToString());
    REQUIRE(again.ok());
    CHECK(*again == *p);
  }
}

TEST_CASE("the status code table says what each code needs", "[edxml]") {
  CHECK(StatusCodes().size() == 9);
  for (const StatusCodeInfo& info : StatusCodes()) {
    INFO(info.text);
    CHECK(info.needs_reason == (info.code == 2));
    CHECK(info.from_sender == (info.code == 13));
    CHECK(FindStatusCode(info.text)->code == info.code);
  }
  for (const char* unknown : {"07", "12", "14", "1", "2", "00", "17", ""}) {
    CHECK_FALSE(FindStatusCode(unknown).has_value());
  }
}

TEST_CASE("bad status packets are refused naming the element and the rule",
          "[edxml]") {
  const std::string refused = Sample("status_rejection_02.edxml");
  const std::string arrived = Sample("status_inbox_01.edxml");
  struct Case {
    std::string what;
    std::string bytes;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"a refusal without its reason",
       Replaced(refused, "Gửi nhầm cơ quan, không thuộc thẩm quyền", "  "),
       "N.Status.Description: status 02 needs the reason"},
      {"a code docbus does not carry",
       Replaced(arrived, "<edXML:StatusCode>01", "<edXML:StatusCode>07"),
       "R.Status.StatusCode:"},
      {"a code of one digit",
       Replaced(arrived, "<edXML:StatusCode>01", "<edXML:StatusCode>1"),
       "R.Status.StatusCode:"},
      {"no code",
       Replaced(arrived, "<edXML:StatusCode>01</edXML:StatusCode>", ""),
       "N.Status.StatusCode:"},
      {"no document id",
       Replaced(arrived,
                "<edXML:DocumentId>000.00.00.G22,2026/11/28,1896/VPCP-TTĐT"
                "</edXML:DocumentId>",
                ""),
       "N.Status.ResponseFor.DocumentId:"},
      {"no reporting organ's name",
       Replaced(arrived, "<edXML:OrganName>UBND Tỉnh Nghệ An</edXML:OrganName>",
                ""),
       "N.Status.From.OrganName:"},
      {"a time stamp in another format",
       Replaced(arrived, "2026/11/28 10:01:00", "28/11/2026 10:01"),
       "M.Status.Timestamp:"},
      {"an envelope instead of a status", Sample("update.edxml"),
       "N.Status: missing"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const Result<StatusPacket> p = ParseStatus(c.bytes, {});
    REQUIRE_FALSE(p.ok());
    INFO(p.status().message());
    CHECK(StartsWith(p.status().message(), c.message));
  }
  // A refusal with its reason, and the other codes without one, are fine.
  CHECK(ParseStatus(refused, {}).ok());
  CHECK(ParseStatus(Replaced(arrived,
                             "<edXML:Description>Văn thư - Phòng Văn thư - Lưu "
                             "trữ: Đã đến - Phần mềm QLVB đã nhận nhưng văn "
                             "thư chưa xử lý</edXML:Description>",
                             ""),
                    {})
            .ok());
}

TEST_CASE("a clerk's description with markup characters survives writing",
          "[edxml]") {
  StatusPacket p = *ParseStatus(Sample("status_rejection_02.edxml"), {});
  p.description = "Sai số/ký hiệu <12/UBND> & thiếu chữ ký\r\nDòng 2\t\"x\"";
  const Result<StatusPacket> again = ParseStatus(WriteStatus(p), {});
  INFO(again.status().ToString());
  REQUIRE(again.ok());
  CHECK(again->description == p.description);
}

}  // namespace
}  // namespace docbus::edxml
