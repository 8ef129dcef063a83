// Standard base64 (RFC 4648 §4, with padding), strict on decode: only the
// canonical encoding of some byte string is accepted (no whitespace, no
// missing or extra padding, no non-zero trailing bits). Used by signed notes,
// checkpoints and tlog-proof. Pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace docbus {

std::string Base64Encode(std::string_view bytes);
// nullopt if `text` is not the canonical encoding of some bytes.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace docbus
