// A file of random bytes for the large-attachment tests and benchmark,
// written a MiB at a time (never held whole).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace docbus::testing {

// Writes `bytes` random bytes to `file` (created or truncated); their
// SHA-256 (32 raw bytes).
std::string WriteRandomFile(const std::filesystem::path& file, uint64_t bytes);

}  // namespace docbus::testing
