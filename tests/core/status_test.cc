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

TEST_CASE("Result carries either a value or an error", "[status]") {
  Result<int> good = 7;
  REQUIRE(good.ok());
  CHECK(*good == 7);
  Result<int> bad = Status(Code::kNotFound, "no such agency");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().ToString() == "not_found: no such agency");
}

}  // namespace docbus
