#include <catch2/catch.hpp>

#include <set>

#include "bus/core/ids.h"

namespace docbus {

TEST_CASE("message ids are unique lowercase UUIDv7 ordered by time", "[ids]") {
  FakeClock clock;
  std::set<std::string> seen;
  std::string previous;
  for (int i = 0; i < 1000; ++i) {
    clock.Advance(std::chrono::milliseconds(1));
    const std::string id = NewMessageId(clock);
    REQUIRE(ValidateMessageId(id).ok());
    REQUIRE(seen.insert(id).second);
    REQUIRE(id.substr(0, 13) > previous.substr(0, std::min<size_t>(13, previous.size())));
    previous = id;
  }
}

TEST_CASE("malformed message ids are rejected", "[ids]") {
  for (const char* bad : {"", "0190f3a2-7c1e-4abc-9def-0123456789ab",
                          "0190F3A2-7C1E-7ABC-9DEF-0123456789AB",
                          "0190f3a27c1e7abc9def0123456789ab0000",
                          "0190f3a2-7c1e-7abc-9def-0123456789a"}) {
    CHECK(ValidateMessageId(bad).code() == Code::kInvalidField);
  }
}

TEST_CASE("QCVN 102 agency ids are validated strictly", "[ids]") {
  CHECK(ValidateAgencyId("000.00.00.G22").ok());
  CHECK(ValidateAgencyId("000.00.00.H41").ok());
  CHECK(ValidateAgencyId("123.45.67.A01").ok());
  for (const char* bad : {"", "000.00.00.g22", "00.00.00.G22", "000.00.00.G2",
                          "000.00.00.G222", "000-00-00-G22", "000.00.00.22G",
                          "000.00.00.G22.1", "000.0a.00.G22", " 000.00.00.G22"}) {
    CHECK(ValidateAgencyId(bad).code() == Code::kInvalidField);
  }
}

TEST_CASE("edXML DocumentIds are validated strictly", "[ids]") {
  CHECK(ValidateDocumentId("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT").ok());
  CHECK(ValidateDocumentId("000.00.00.H41,2024/02/29,12/UBND-VP").ok());
  for (const char* bad : {"", "000.00.00.G22", "000.00.00.G22,2015/09/30",
                          "000.00.00.G22,2015-09-30,7816/VPCP",
                          "000.00.00.G22,2023/02/29,7816/VPCP",
                          "000.00.00.G22,2015/13/01,7816/VPCP",
                          "000.00.00.G22,2015/09/30,7816",
                          "000.00.00.G22,2015/09/30,78a/VPCP",
                          "000.00.00.G22,2015/09/30,7816/",
                          "00.00.00.G22,2015/09/30,7816/VPCP",
                          "000.00.00.G22,2015/09/30,7816/VP,CP"}) {
    CHECK(ValidateDocumentId(bad).code() == Code::kInvalidField);
  }
}

}  // namespace docbus
