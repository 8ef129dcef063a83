// The agency's calendar from the tz database, whatever the host's TZ: the
// zone files are the tzdata ones, kept in tests/document/zoneinfo.
#include "bus/document/time_zone.h"

#include <catch2/catch.hpp>

#include "bus/core/files.h"

namespace docbus::document {
namespace {

const std::filesystem::path kZoneInfo =
    std::filesystem::path(DOCBUS_SOURCE_DIR) / "tests/document/zoneinfo";

// 2026-12-05 23:30:00 UTC = 2026-12-06 06:30 in Vietnam (UTC+7).
constexpr int64_t kLateEveningUtcMs = 1'796'513'400'000;

TEST_CASE("Vietnam's date is already tomorrow at 23:30 UTC", "[document]") {
  auto zone = TimeZone::Load("Asia/Ho_Chi_Minh", kZoneInfo);
  REQUIRE(zone.ok());
  CHECK(zone->OffsetSeconds(kLateEveningUtcMs / 1000) == 7 * 3600);
  CHECK(EdxmlDate(kLateEveningUtcMs, *zone) == "2026/12/06");
  CHECK(EdxmlDate(kLateEveningUtcMs, TimeZone::Utc()) == "2026/12/05");
  // One minute before local midnight it is still the 5th.
  CHECK(EdxmlDate(kLateEveningUtcMs - (6 * 60 + 31) * 60'000, *zone) ==
        "2026/12/05");
}

TEST_CASE("history and DST rules of the tz database are followed",
          "[document]") {
  auto saigon = TimeZone::Load("Asia/Ho_Chi_Minh", kZoneInfo);
  REQUIRE(saigon.ok());
  // 1970-01-01: UTC+8 in the South until 1975.
  CHECK(saigon->OffsetSeconds(0) == 8 * 3600);
  auto paris = TimeZone::Load("Europe/Paris", kZoneInfo);
  REQUIRE(paris.ok());
  // Within the file's transitions, and far past them (the footer's rule).
  CHECK(paris->OffsetSeconds(1'782'864'000) == 2 * 3600);  // 2026-07-01
  CHECK(paris->OffsetSeconds(1'798'761'600) == 1 * 3600);  // 2027-01-01
  CHECK(paris->OffsetSeconds(4'102'444'800 + 182 * 86400) ==
        2 * 3600);                                         // 2100-07-02
  CHECK(paris->OffsetSeconds(4'102'444'800) == 1 * 3600);  // 2100-01-01
  // 2100-03-28 (last Sunday of March) 01:00 UTC the clocks go forward.
  const int64_t change = 4'102'444'800 + (31 + 28 + 27) * 86400 + 3600;
  CHECK(paris->OffsetSeconds(change - 1) == 1 * 3600);
  CHECK(paris->OffsetSeconds(change) == 2 * 3600);
}

TEST_CASE("the system's tz database has the default zone", "[document]") {
  auto zone = TimeZone::Load(kDefaultTimeZone);
  REQUIRE(zone.ok());
  CHECK(EdxmlDate(kLateEveningUtcMs, *zone) == "2026/12/06");
}

TEST_CASE("bad zone names and files are refused", "[document]") {
  CHECK(TimeZone::Load("../etc/passwd", kZoneInfo).status().code() ==
        Code::kInvalidField);
  CHECK(TimeZone::Load("/etc/passwd", kZoneInfo).status().code() ==
        Code::kInvalidField);
  CHECK(TimeZone::Load("Asia/Atlantis", kZoneInfo).status().code() ==
        Code::kNotFound);
  CHECK(TimeZone::FromTzif("x", "not a zone").status().code() ==
        Code::kMalformed);
  auto bytes = ReadFileLimited(kZoneInfo / "Europe/Paris", 1 << 20);
  REQUIRE(bytes.ok());
  for (size_t cut :
       {size_t{10}, size_t{50}, bytes->size() / 2, bytes->size() - 3}) {
    INFO(cut);
    CHECK(TimeZone::FromTzif("Europe/Paris", bytes->substr(0, cut))
              .status()
              .code() == Code::kMalformed);
  }
}

}  // namespace
}  // namespace docbus::document
