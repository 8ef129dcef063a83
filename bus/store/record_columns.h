// How the backends pack a record's list fields into one column each: the
// recipients of a document as '\n'-joined text, its attachment digests as
// 32-byte SHA-256s back to back. Shared so every backend stores them the
// same way. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"

namespace docbus::store {

inline constexpr size_t kDigestBytes = 32;
inline constexpr int32_t kHighestPriority = 4;

std::string JoinLines(const std::vector<std::string>& items);
std::vector<std::string> SplitLines(std::string_view text);

// The digests back to back; kInvalidArgument for one not 32 bytes long.
Result<std::string> JoinDigests(const std::vector<std::string>& digests);
// kCorruption naming `document` when the column is not whole digests.
Result<std::vector<std::string>> SplitDigests(int64_t document,
                                              std::string_view digests);

}  // namespace docbus::store
