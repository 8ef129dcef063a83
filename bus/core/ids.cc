#include "bus/core/ids.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstdlib>

namespace docbus {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

Status Invalid(std::string what) {
  return Status(Code::kInvalidField, std::move(what));
}

void FillRandom(uint8_t* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    // The CSPRNG failing is a broken invariant of the platform.
    std::abort();
  }
}

}  // namespace

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string RandomBytes16() {
  std::string out(16, '\0');
  FillRandom(reinterpret_cast<uint8_t*>(out.data()), out.size());
  return out;
}

std::string NewMessageId(const Clock& clock) {
  std::array<uint8_t, 16> b{};
  FillRandom(b.data(), b.size());
  const uint64_t ms = static_cast<uint64_t>(clock.NowUnixMillis());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>(0x70 | (b[6] & 0x0f));  // version 7
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3f));  // RFC 9562 variant
  std::string hex = Hex(std::string_view(reinterpret_cast<char*>(b.data()), b.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

Status ValidateMessageId(std::string_view id) {
  if (id.size() != 36) return Invalid("message id must be 36 characters");
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !IsLowerHex(id[i])) {
      return Invalid("message id is not a lowercase UUID");
    }
  }
  if (id[14] != '7') return Invalid("message id is not a UUIDv7");
  return Status::Ok();
}

Status ValidateAgencyId(std::string_view id) {
  // NNN.NN.NN.Xnn: 3 digits, 2 digits, 2 digits, an uppercase letter and 2 digits.
  if (id.size() != 13 || id[3] != '.' || id[6] != '.' || id[9] != '.' ||
      !AllDigits(id.substr(0, 3)) || !AllDigits(id.substr(4, 2)) ||
      !AllDigits(id.substr(7, 2)) || id[10] < 'A' || id[10] > 'Z' ||
      !AllDigits(id.substr(11, 2))) {
    return Invalid("agency id must have the form NNN.NN.NN.Xnn, got '" +
                   std::string(id.substr(0, 40)) + "'");
  }
  return Status::Ok();
}

Status ValidateEdxmlDate(std::string_view date) {
  if (date.size() != 10 || date[4] != '/' || date[7] != '/' ||
      !AllDigits(date.substr(0, 4)) || !AllDigits(date.substr(5, 2)) ||
      !AllDigits(date.substr(8, 2))) {
    return Invalid("date must have the form yyyy/MM/dd");
  }
  const int year = std::atoi(std::string(date.substr(0, 4)).c_str());
  const int month = std::atoi(std::string(date.substr(5, 2)).c_str());
  const int day = std::atoi(std::string(date.substr(8, 2)).c_str());
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1900 || month < 1 || month > 12) return Invalid("date out of range");
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int max_day = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > max_day) return Invalid("date out of range");
  return Status::Ok();
}

Status ValidateDocumentId(std::string_view id) {
  if (id.size() > 256) return Invalid("document id longer than 256 bytes");
  const size_t c1 = id.find(',');
  const size_t c2 = c1 == std::string_view::npos ? c1 : id.find(',', c1 + 1);
  if (c2 == std::string_view::npos) {
    return Invalid("document id must be <OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>");
  }
  DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(id.substr(0, c1)));
  DOCBUS_RETURN_IF_ERROR(ValidateEdxmlDate(id.substr(c1 + 1, c2 - c1 - 1)));
  const std::string_view code = id.substr(c2 + 1);
  const size_t slash = code.find('/');
  if (slash == std::string_view::npos || !AllDigits(code.substr(0, slash))) {
    return Invalid("document id code must be <số>/<ký hiệu> with a numeric số");
  }
  const std::string_view notation = code.substr(slash + 1);
  if (notation.empty()) return Invalid("document id has an empty ký hiệu");
  for (unsigned char c : notation) {
    if (c < 0x20 || c == ',' || c == 0x7f) {
      return Invalid("document id ký hiệu has a control character or comma");
    }
  }
  return Status::Ok();
}

std::optional<std::string> Sha256FromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::string out(32, '\0');
  for (size_t i = 0; i < 64; ++i) {
    const char c = hex[i];
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    out[i / 2] = static_cast<char>((out[i / 2] << 4) | v);
  }
  return out;
}

}  // namespace docbus
