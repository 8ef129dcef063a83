#include "bus/audit/note_util.h"

#include "bus/audit/note_signer.h"
#include "bus/audit/note_verifier.h"
#include "bus/core/base64.h"

namespace docbus::audit {

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    int extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      auto d = static_cast<unsigned char>(text[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // No overlong forms, surrogates or values past U+10FFFF.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
        (extra == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

std::string Hex8(uint32_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i) {
    out[i] = kDigits[value & 15];
    value >>= 4;
  }
  return out;
}

std::optional<uint32_t> ParseHex8(std::string_view text) {
  if (text.size() != 8) return std::nullopt;
  uint32_t value = 0;
  for (char c : text) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    value = (value << 4) | static_cast<uint32_t>(d);
  }
  return value;
}

std::string_view TrimKeyText(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' ||
                           text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

Result<SplitNote> SplitSignedNote(std::string_view note) {
  if (note.size() > kMaxNoteBytes) {
    return Status(Code::kTooLarge, "signed note is too large");
  }
  if (!IsValidUtf8(note)) {
    return Status(Code::kMalformed, "signed note is not UTF-8");
  }
  for (char c : note) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n') || u == 0x7f) {
      return Status(Code::kMalformed, "signed note holds a control character");
    }
  }
  // The text ends at the last blank line; signatures follow.
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status(Code::kMalformed, "signed note has no signature block");
  }
  SplitNote out;
  out.text = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') {
    return Status(Code::kMalformed, "signed note has no signature lines");
  }
  while (!sigs.empty()) {
    const size_t nl = sigs.find('\n');
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    if (!line.starts_with(kNoteSignaturePrefix)) {
      return Status(Code::kMalformed,
                    "signed note has a line that is not a signature");
    }
    line.remove_prefix(kNoteSignaturePrefix.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return Status(Code::kMalformed, "signature line has no signature");
    }
    std::string_view name = line.substr(0, space);
    std::string_view b64 = line.substr(space + 1);
    auto sig = Base64Decode(b64);
    if (!IsValidNoteKeyName(name) || b64.empty() || !sig || sig->size() < 5) {
      return Status(Code::kMalformed, "signature line does not parse");
    }
    if (out.signatures.size() >= static_cast<size_t>(kMaxNoteSignatures)) {
      return Status(Code::kMalformed, "signed note has too many signatures");
    }
    auto byte = [&](int i) { return static_cast<uint8_t>((*sig)[i]); };
    NoteSignatureLine entry;
    entry.name = name;
    entry.key_id = (uint32_t{byte(0)} << 24) | (uint32_t{byte(1)} << 16) |
                   (uint32_t{byte(2)} << 8) | uint32_t{byte(3)};
    entry.signature = sig->substr(4);
    out.signatures.push_back(std::move(entry));
  }
  return out;
}

}  // namespace docbus::audit
