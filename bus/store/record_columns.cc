#include "bus/store/record_columns.h"

namespace docbus::store {

std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back('\n');
    out += items[i];
  }
  return out;
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    const size_t nl = text.find('\n', start);
    out.emplace_back(text.substr(start, nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

Result<std::string> JoinDigests(const std::vector<std::string>& digests) {
  std::string out;
  for (const std::string& d : digests) {
    if (d.size() != kDigestBytes) {
      return Status(Code::kInvalidArgument,
                    "attachment digest is not 32 bytes");
    }
    out += d;
  }
  return out;
}

Result<std::vector<std::string>> SplitDigests(int64_t document,
                                              std::string_view digests) {
  if (digests.size() % kDigestBytes != 0) {
    return Status(Code::kCorruption, "document " + std::to_string(document) +
                                         ": attachment digests damaged");
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < digests.size(); i += kDigestBytes) {
    out.emplace_back(digests.substr(i, kDigestBytes));
  }
  return out;
}

}  // namespace docbus::store
