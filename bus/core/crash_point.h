// Named crash points for the crash tests. A daemon calls CrashPoint("name")
// at the moments that matter for durability (before a commit, after a commit
// but before the answer, ...). When the environment variable
// DOCBUS_CRASH_AT is "name" or "name:N", the process kills itself with
// SIGKILL the first (or Nth) time that point is reached: exactly what
// `kill -9` at that moment would do. Unset, a crash point costs one branch.
// Thread-safe.
#pragma once

#include <string_view>

namespace docbus {

void CrashPoint(std::string_view name);

}  // namespace docbus
