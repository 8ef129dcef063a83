#include "agents/byte_range.h"

#include <optional>

namespace docbus::agent {
namespace {

constexpr size_t kMaxDigits = 19;  // below 2^63

// Decimal digits only, never empty, never overflowing.
std::optional<uint64_t> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > kMaxDigits) return std::nullopt;
  uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

ByteRangeRequest ParseByteRange(std::string_view header, uint64_t size) {
  using Kind = ByteRangeRequest::Kind;
  ByteRangeRequest whole;
  constexpr std::string_view kUnit = "bytes=";
  header = Trim(header);
  if (header.size() <= kUnit.size() ||
      header.substr(0, kUnit.size()) != kUnit) {
    return whole;
  }
  const std::string_view spec = Trim(header.substr(kUnit.size()));
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos ||
      spec.find(',') != std::string_view::npos) {
    return whole;
  }
  const std::string_view first_text = Trim(spec.substr(0, dash));
  const std::string_view last_text = Trim(spec.substr(dash + 1));
  ByteRangeRequest out;
  if (first_text.empty()) {  // suffix: the last n bytes
    const std::optional<uint64_t> n = ParseNumber(last_text);
    if (!n.has_value()) return whole;
    if (*n == 0 || size == 0) return {Kind::kUnsatisfiable, 0, 0};
    out.first = *n >= size ? 0 : size - *n;
    out.last = size - 1;
    out.kind = Kind::kPartial;
    return out;
  }
  const std::optional<uint64_t> first = ParseNumber(first_text);
  if (!first.has_value()) return whole;
  std::optional<uint64_t> last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    last = ParseNumber(last_text);
    if (!last.has_value() || *last < *first) return whole;
  }
  if (*first >= size) return {Kind::kUnsatisfiable, 0, 0};
  out.kind = Kind::kPartial;
  out.first = *first;
  out.last = *last >= size ? size - 1 : *last;
  return out;
}

}  // namespace docbus::agent
