// NoteVerifier: opens a signed note (c2sp.org/signed-note) with one Ed25519
// verifier key "<name>+<hex8 key id>+<base64(0x01 || public32)>". Signature
// lines of other keys are ignored; a failing signature of our key rejects
// the note; a note with no signature of our key is rejected. Immutable after
// FromVerifierKey; safe to use from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bus/audit/note_key.h"
#include "bus/core/status.h"

namespace docbus::audit {

// Notes larger than this are refused before parsing.
inline constexpr size_t kMaxNoteBytes = 1 << 20;
// At most this many signature lines are looked at.
inline constexpr int kMaxNoteSignatures = 100;

class NoteVerifier {
 public:
  // Parses a verifier key. kInvalidArgument naming what is wrong (bad name,
  // key id not matching the key, not Ed25519, bad base64).
  static Result<NoteVerifier> FromVerifierKey(std::string_view vkey);

  // The note's text (including its final newline) if our key signed it.
  // kMalformed for a note that does not parse; kBadSignature when no
  // signature of our key is present or ours does not verify.
  Result<std::string> Open(std::string_view note) const;

  const std::string& name() const { return key_.name(); }
  uint32_t key_id() const { return key_.key_id(); }

 private:
  explicit NoteVerifier(NoteKey key) : key_(std::move(key)) {}

  NoteKey key_;
};

}  // namespace docbus::audit
