#include "bus/document/time_zone.h"

#include <algorithm>
#include <cstdio>

#include "bus/core/files.h"

namespace docbus::document {
namespace {

constexpr uint64_t kMaxTzifBytes = 1 << 20;

Status Malformed(const std::string& name, std::string_view why) {
  return Status(Code::kMalformed,
                "time zone " + name + ": " + std::string(why));
}

// Days since 1970-01-01 of a civil date (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

class Bytes {
 public:
  explicit Bytes(std::string_view data) : data_(data) {}
  bool Has(size_t n) const { return data_.size() - pos_ >= n; }
  int64_t Be(size_t n) {  // n = 4 or 8, signed
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
      v = (v << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    pos_ += n;
    if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<int64_t>(v);
  }
  unsigned char Byte() { return static_cast<unsigned char>(data_[pos_++]); }
  void Skip(size_t n) { pos_ += n; }
  size_t pos() const { return pos_; }
  std::string_view Rest() const { return data_.substr(pos_); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

struct Counts {
  int64_t isut, isstd, leap, time, type, chars;
};

bool ReadHeader(Bytes& b, char* version, Counts* c) {
  if (!b.Has(44) || b.Rest().substr(0, 4) != "TZif") return false;
  b.Skip(4);
  *version = static_cast<char>(b.Byte());
  b.Skip(15);
  c->isut = b.Be(4);
  c->isstd = b.Be(4);
  c->leap = b.Be(4);
  c->time = b.Be(4);
  c->type = b.Be(4);
  c->chars = b.Be(4);
  return c->isut >= 0 && c->isstd >= 0 && c->leap >= 0 && c->time >= 0 &&
         c->type >= 1 && c->type <= 256 && c->chars >= 0 &&
         c->time <= 1'000'000 && c->leap <= 100'000 && c->chars <= 100'000;
}

// POSIX TZ string parser (the TZif footer).
class RuleParser {
 public:
  explicit RuleParser(std::string_view s) : s_(s) {}

  bool Parse(TimeZone::Rule* r) {
    if (!Name()) return false;
    int64_t off = 0;
    if (!Offset(&off)) return false;
    r->std_offset = -off;  // POSIX counts west of UTC
    if (Done()) return true;
    if (!Name()) return false;
    r->has_dst = true;
    r->dst_offset = r->std_offset + 3600;
    if (!Done() && Peek() != ',') {
      if (!Offset(&off)) return false;
      r->dst_offset = -off;
    }
    if (Done()) return false;  // DST without rules: not in TZif footers
    return Eat(',') && Change(&r->start) && Eat(',') && Change(&r->end) &&
           Done();
  }

 private:
  bool Done() const { return i_ == s_.size(); }
  char Peek() const { return Done() ? '\0' : s_[i_]; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++i_;
    return true;
  }
  bool Name() {
    if (Eat('<')) {
      while (!Done() && Peek() != '>') ++i_;
      return Eat('>');
    }
    const size_t start = i_;
    while (!Done() && ((Peek() >= 'A' && Peek() <= 'Z') ||
                       (Peek() >= 'a' && Peek() <= 'z')))
      ++i_;
    return i_ - start >= 3;
  }
  bool Number(int64_t* n, int max_digits) {
    const size_t start = i_;
    *n = 0;
    while (!Done() && Peek() >= '0' && Peek() <= '9' &&
           i_ - start < static_cast<size_t>(max_digits)) {
      *n = *n * 10 + (Peek() - '0');
      ++i_;
    }
    return i_ > start;
  }
  // [+-]hh[:mm[:ss]] in seconds (hours up to 167 for rule times).
  bool Offset(int64_t* seconds) {
    int64_t sign = 1;
    if (Eat('-')) {
      sign = -1;
    } else {
      Eat('+');
    }
    int64_t h = 0, m = 0, s = 0;
    if (!Number(&h, 3) || h > 167) return false;
    if (Eat(':') && (!Number(&m, 2) || m > 59)) return false;
    if (Eat(':') && (!Number(&s, 2) || s > 59)) return false;
    *seconds = sign * (h * 3600 + m * 60 + s);
    return true;
  }
  bool Change(TimeZone::Rule::Change* c) {
    int64_t a = 0, w = 0, d = 0;
    if (Eat('M')) {
      c->kind = 'M';
      if (!Number(&a, 2) || a < 1 || a > 12 || !Eat('.') || !Number(&w, 1) ||
          w < 1 || w > 5 || !Eat('.') || !Number(&d, 1) || d > 6) {
        return false;
      }
      c->month = static_cast<int>(a);
      c->week = static_cast<int>(w);
      c->day = static_cast<int>(d);
    } else if (Eat('J')) {
      c->kind = 'J';
      if (!Number(&a, 3) || a < 1 || a > 365) return false;
      c->day = static_cast<int>(a);
    } else {
      c->kind = 'D';
      if (!Number(&a, 3) || a > 365) return false;
      c->day = static_cast<int>(a);
    }
    c->seconds = 7200;
    if (Eat('/')) return Offset(&c->seconds);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// Local seconds since the epoch (in the offset in force before the change)
// at which `c` happens in `year`.
int64_t ChangeLocalSeconds(const TimeZone::Rule::Change& c, int64_t year) {
  int64_t day;
  if (c.kind == 'J') {
    day = DaysFromCivil(year, 1, 1) + c.day - 1;
    if (IsLeap(year) && c.day >= 60) ++day;
  } else if (c.kind == 'D') {
    day = DaysFromCivil(year, 1, 1) + c.day;
  } else {
    const int64_t first = DaysFromCivil(year, c.month, 1);
    const int64_t weekday_first = FloorDiv(first + 4, 7) * -7 + first + 4;
    int64_t delta = (c.day - weekday_first + 7) % 7;
    day = first + delta + 7 * (c.week - 1);
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
    const int days_in_month =
        kDays[c.month - 1] + (c.month == 2 && IsLeap(year) ? 1 : 0);
    while (day >= first + days_in_month) day -= 7;
  }
  return day * 86400 + c.seconds;
}

int64_t RuleOffset(const TimeZone::Rule& r, int64_t t) {
  if (!r.has_dst) return r.std_offset;
  int64_t year;
  int m, d;
  CivilFromDays(FloorDiv(t + r.std_offset, 86400), &year, &m, &d);
  // Start is given in standard time, end in daylight time.
  const int64_t start = ChangeLocalSeconds(r.start, year) - r.std_offset;
  const int64_t end = ChangeLocalSeconds(r.end, year) - r.dst_offset;
  const bool in_dst = start < end ? (t >= start && t < end)
                                  : (t >= start || t < end);  // southern
  return in_dst ? r.dst_offset : r.std_offset;
}

bool ValidZoneName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  size_t part_start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/') {
      const std::string_view part = name.substr(part_start, i - part_start);
      if (part.empty() || part == "." || part == ".." || part[0] == '.') {
        return false;
      }
      part_start = i + 1;
      continue;
    }
    const char c = name[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                    c == '+' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

TimeZone TimeZone::Utc() {
  TimeZone zone;
  zone.name_ = "UTC";
  return zone;
}

Result<TimeZone> TimeZone::FromTzif(std::string name, std::string_view tzif) {
  Bytes b(tzif);
  char version = 0;
  Counts c{};
  if (!ReadHeader(b, &version, &c)) return Malformed(name, "not a TZif file");
  if (version == '\0') {
    return Malformed(name, "TZif version 1 (no 64-bit data) is not supported");
  }
  // Skip the version 1 block; the 64-bit block follows with its own header.
  const size_t v1 = static_cast<size_t>(c.time * 5 + c.type * 6 + c.chars +
                                        c.leap * 8 + c.isstd + c.isut);
  if (!b.Has(v1)) return Malformed(name, "truncated");
  b.Skip(v1);
  if (!ReadHeader(b, &version, &c)) return Malformed(name, "truncated");
  const size_t v2 = static_cast<size_t>(c.time * 9 + c.type * 6 + c.chars +
                                        c.leap * 12 + c.isstd + c.isut);
  if (!b.Has(v2)) return Malformed(name, "truncated");
  TimeZone zone;
  zone.name_ = std::move(name);
  std::vector<int64_t> times(static_cast<size_t>(c.time));
  for (int64_t& t : times) t = b.Be(8);
  std::vector<unsigned char> index(static_cast<size_t>(c.time));
  for (unsigned char& i : index) i = b.Byte();
  std::vector<int64_t> type_offsets(static_cast<size_t>(c.type));
  for (int64_t& off : type_offsets) {
    off = b.Be(4);
    b.Skip(2);  // isdst, designation index
    if (off < -25 * 3600 || off > 26 * 3600) {
      return Malformed(zone.name_, "UTC offset out of range");
    }
  }
  b.Skip(static_cast<size_t>(c.chars + c.leap * 12 + c.isstd + c.isut));
  for (size_t i = 0; i < times.size(); ++i) {
    if (index[i] >= type_offsets.size())
      return Malformed(zone.name_, "transition to an unknown type");
    if (i > 0 && times[i] <= times[i - 1])
      return Malformed(zone.name_, "transitions out of order");
  }
  zone.transitions_ = std::move(times);
  for (unsigned char i : index) zone.offsets_.push_back(type_offsets[i]);
  zone.initial_offset_ = type_offsets[0];
  // Footer: "\n<POSIX TZ>\n"; empty means no rule past the last transition.
  std::string_view rest = b.Rest();
  if (rest.size() < 2 || rest.front() != '\n') {
    return Malformed(zone.name_, "missing footer");
  }
  const size_t end = rest.find('\n', 1);
  if (end == std::string_view::npos) {
    return Malformed(zone.name_, "unterminated footer");
  }
  const std::string_view tz = rest.substr(1, end - 1);
  if (!tz.empty()) {
    if (!RuleParser(tz).Parse(&zone.rule_)) {
      return Malformed(zone.name_, "footer rule not understood");
    }
    zone.has_rule_ = true;
  }
  return zone;
}

Result<TimeZone> TimeZone::Load(std::string_view name,
                                const std::filesystem::path& zoneinfo_dir) {
  if (!ValidZoneName(name)) {
    return Status(Code::kInvalidField,
                  "'" + std::string(name.substr(0, 64)) +
                      "' is not a tz database zone name such as " +
                      kDefaultTimeZone);
  }
  auto bytes = ReadFileLimited(zoneinfo_dir / std::string(name), kMaxTzifBytes);
  if (!bytes.ok()) {
    if (bytes.status().code() == Code::kNotFound) {
      return Status(Code::kNotFound, "no time zone " + std::string(name) +
                                         " in " + zoneinfo_dir.string());
    }
    return bytes.status();
  }
  return FromTzif(std::string(name), *bytes);
}

int64_t TimeZone::OffsetSeconds(int64_t t) const {
  if (transitions_.empty() || t < transitions_.front()) {
    if (transitions_.empty() && has_rule_) return RuleOffset(rule_, t);
    return initial_offset_;
  }
  if (t >= transitions_.back() && has_rule_) return RuleOffset(rule_, t);
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  return offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

std::string EdxmlDate(int64_t unix_ms, const TimeZone& zone) {
  const int64_t t = FloorDiv(unix_ms, 1000);
  int64_t year;
  int month, day;
  CivilFromDays(FloorDiv(t + zone.OffsetSeconds(t), 86400), &year, &month,
                &day);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld/%02d/%02d",
                static_cast<long long>(year), month, day);
  return buf;
}

}  // namespace docbus::document
