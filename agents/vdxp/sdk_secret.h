// Reading the SDK's shared secret ([vdxp] secret_file in the agent's
// config). The file holds the secret on one line (a trailing newline is not
// part of it) and must be readable by its owner only (mode 0600 or
// stricter): the secret lets anyone on the machine send and acknowledge as
// the agency's system. Free function; thread-safe.
#pragma once

#include <filesystem>
#include <string>

#include "bus/core/status.h"

namespace docbus::agent::vdxp {

// At most this long (the SDK's secrets are tens of bytes).
inline constexpr size_t kMaxSecretBytes = 4096;

// The secret, or kInvalidArgument saying why: missing or unreadable, open
// to the group or others (naming the mode), empty, or too long.
Result<std::string> ReadSdkSecret(const std::filesystem::path& file);

}  // namespace docbus::agent::vdxp
