// Internal helpers of the note format shared by signatures and cosignatures
// (NoteKey, NoteVerifier, CosignatureVerifier): its constants, key-text and
// note-splitting helpers. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"

namespace docbus::audit {

// U+2014 EM DASH and a space start every signature line.
inline constexpr std::string_view kNoteSignaturePrefix = "\xE2\x80\x94 ";

bool IsValidUtf8(std::string_view text);
// Eight lowercase hex digits.
std::string Hex8(uint32_t value);
// Exactly eight hex digits (either case), or nullopt.
std::optional<uint32_t> ParseHex8(std::string_view text);
// Drops trailing whitespace (key files end in a newline).
std::string_view TrimKeyText(std::string_view text);

// One signature line of a signed note: "— <name> <base64(id || signature)>".
struct NoteSignatureLine {
  std::string_view name;
  uint32_t key_id = 0;
  std::string signature;  // the bytes after the key id
};
struct SplitNote {
  std::string_view text;  // up to and including the newline before the blank
  std::vector<NoteSignatureLine> signatures;
};
// Splits a signed note into its text and signature lines, with the checks
// NoteVerifier::Open makes before it looks at a key: kTooLarge over
// kMaxNoteBytes; kMalformed for a note that is not UTF-8, holds a control
// character, has no signature block, a line that is not a signature or more
// than kMaxNoteSignatures of them. The views point into `note`.
Result<SplitNote> SplitSignedNote(std::string_view note);

}  // namespace docbus::audit
