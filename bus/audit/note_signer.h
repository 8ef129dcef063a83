// Signed notes (c2sp.org/signed-note) with Ed25519, in the key formats of
// golang.org/x/mod/sumdb/note with algorithm byte 0x01 (note_key.h):
//   signer key   "PRIVATE+KEY+<name>+<hex8 key id>+<base64(0x01 || seed32)>"
//   verifier key "<name>+<hex8 key id>+<base64(0x01 || public32)>"
// A signed note is the text (lines ending in "\n"), a blank line, then
// "— <name> <base64(key id || signature)>\n" per signature.
// NoteSigner is immutable after FromKey and safe to use from many threads.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bus/audit/note_key.h"
#include "bus/core/status.h"

namespace docbus::audit {

inline constexpr uint8_t kNoteAlgEd25519 = 0x01;

class NoteSigner {
 public:
  // Parses a signer key (above). kInvalidArgument naming what is wrong; the
  // message never contains key material.
  static Result<NoteSigner> FromKey(std::string_view skey);

  // The full signed note: `text`, "\n", one signature line. `text` must be
  // valid note text (non-empty, UTF-8 lines each ending in "\n", no empty
  // line, no control characters); our callers only sign checkpoints they
  // formatted, so anything else is a broken invariant and aborts.
  std::string Sign(std::string_view text) const;
  // The signature line alone ("— <name> <base64>\n"), same precondition.
  std::string SignatureLine(std::string_view text) const;

  const std::string& name() const { return key_.name(); }
  uint32_t key_id() const { return key_.key_id(); }
  // The matching verifier key text.
  const std::string& verifier_key() const { return key_.verifier_key(); }

 private:
  explicit NoteSigner(NoteKey key) : key_(std::move(key)) {}

  NoteKey key_;
};

// A fresh Ed25519 key pair for `name` (the log origin). kInvalidArgument for
// a name that is empty or holds a space, "+" or a control character.
Result<NoteKeys> GenerateNoteKeys(std::string_view name);

// True if `name` may name a note key (non-empty, UTF-8, no space, "+" or
// control characters).
bool IsValidNoteKeyName(std::string_view name);

// Checks note text: non-empty, valid UTF-8, every line ends in "\n" and is
// non-empty, no control characters but "\n". kMalformed naming the problem.
Status CheckNoteText(std::string_view text);

// Aborts, naming `what`, when `text` is not valid note text: signing one is
// a broken invariant of the caller's (NoteSigner, Cosigner).
void RequireNoteText(std::string_view text, std::string_view what);

}  // namespace docbus::audit
