// TimeZone: the UTC offset of a tz database zone (e.g. "Asia/Ho_Chi_Minh")
// at any instant, read from its TZif file (RFC 8536) under /usr/share/zoneinfo,
// so that the dates an agency writes into its documents (the DocumentId's
// yyyy/MM/dd) are those of the agency's calendar whatever the host's TZ.
// Neither localtime_r nor the process's TZ is involved: a daemon's threads
// may each use a different zone.
//
// Reads version 2+ files (64-bit transition times) and the POSIX TZ footer
// for instants after the last transition (a fixed offset, or a DST rule of
// the Mm.w.d, Jn or n forms). Immutable once loaded: thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"

namespace docbus::document {

inline constexpr char kDefaultTimeZone[] = "Asia/Ho_Chi_Minh";
inline constexpr char kZoneInfoDir[] = "/usr/share/zoneinfo";

class TimeZone {
 public:
  // The zone `name` from `zoneinfo_dir`. kInvalidField when the name is not
  // a tz database name (letters, digits, '_', '-', '+', '/' between parts,
  // no "." or ".." part), kNotFound when there is no such zone, kMalformed
  // when the file is not TZif.
  static Result<TimeZone> Load(
      std::string_view name,
      const std::filesystem::path& zoneinfo_dir = kZoneInfoDir);
  // A zone from the bytes of its TZif file; kMalformed names what is wrong.
  static Result<TimeZone> FromTzif(std::string name, std::string_view tzif);
  // A zone that is UTC at every instant.
  static TimeZone Utc();

  // Seconds east of UTC at `unix_seconds`.
  int64_t OffsetSeconds(int64_t unix_seconds) const;
  const std::string& name() const { return name_; }

  // A POSIX TZ rule of the footer ("<+07>-7", "CET-1CEST,M3.5.0,M10.5.0/3").
  struct Rule {
    struct Change {
      char kind = 'M';  // 'M' month.week.day, 'J' 1-365 no leap, 'D' 0-365
      int month = 0, week = 0, day = 0;
      int64_t seconds = 7200;  // local time of day it happens
    };
    int64_t std_offset = 0;  // seconds east of UTC
    bool has_dst = false;
    int64_t dst_offset = 0;
    Change start, end;
  };

 private:
  TimeZone() = default;

  std::string name_;
  std::vector<int64_t> transitions_;  // ascending, unix seconds
  std::vector<int64_t> offsets_;      // offset from each transition on
  int64_t initial_offset_ = 0;        // before the first transition
  bool has_rule_ = false;
  Rule rule_;
};

// "yyyy/MM/dd" (edXML's date form) of `unix_ms` in `zone`.
std::string EdxmlDate(int64_t unix_ms, const TimeZone& zone);

}  // namespace docbus::document
