// Internal helpers shared by NoteSigner and NoteVerifier: the note format's
// constants and key-text helpers. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace docbus::audit {

inline constexpr uint8_t kNoteAlgEd25519 = 0x01;
// U+2014 EM DASH and a space start every signature line.
inline constexpr std::string_view kNoteSignaturePrefix = "\xE2\x80\x94 ";

bool IsValidUtf8(std::string_view text);
// Eight lowercase hex digits.
std::string Hex8(uint32_t value);
// Exactly eight hex digits (either case), or nullopt.
std::optional<uint32_t> ParseHex8(std::string_view text);
// "<name>+<hex8 id>+<base64(0x01 || public32)>".
std::string FormatVerifierKey(std::string_view name, uint32_t id,
                              std::string_view public_key32);
// Drops trailing whitespace (key files end in a newline).
std::string_view TrimKeyText(std::string_view text);

}  // namespace docbus::audit
