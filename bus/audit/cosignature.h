// Cosignatures (c2sp.org/tlog-cosignature, v1, Ed25519: type 0x04): a
// witness's statement "as of <time>, this is the largest consistent tree I
// have seen for this origin". It is one more signature line on a signed
// checkpoint note:
//   "— <witness name> <base64(key id[4] || u64 BE time || Ed25519 sig[64])>\n"
// where the signature is over
//   "cosignature/v1\ntime <decimal seconds>\n" + <checkpoint note text>
// and the key id is SHA-256(name || "\n" || 0x04 || public32)[:4]. The keys
// are written as golang.org/x/mod/sumdb/note writes its keys, with 0x04 as
// the algorithm byte:
//   signer key   "PRIVATE+KEY+<name>+<hex8 key id>+<base64(0x04 || seed32)>"
//   verifier key "<name>+<hex8 key id>+<base64(0x04 || public32)>"
// The signed message does not name the witness, so every witness needs a key
// of its own (never a log's key). Cosigner and CosignatureVerifier are
// immutable after construction and safe to use from many threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bus/audit/note_key.h"
#include "bus/core/status.h"

namespace docbus::audit {

inline constexpr uint8_t kCosignatureAlgEd25519 = 0x04;

// The bytes a cosignature signs for checkpoint note text `text`.
std::string CosignedMessage(std::string_view text, uint64_t time_s);

class Cosigner {
 public:
  // Parses a cosigner signer key (above). kInvalidArgument naming what is
  // wrong (a note key of type 0x01 included); never echoes key material.
  static Result<Cosigner> FromKey(std::string_view skey);

  // The cosignature line for checkpoint note text `text` (the note without
  // its signature block, ending in "\n") at `time_s`. `text` must be valid
  // note text (CheckNoteText); the witness only cosigns checkpoints it has
  // parsed, so anything else is a broken invariant and aborts.
  std::string SignatureLine(std::string_view text, uint64_t time_s) const;

  const std::string& name() const { return key_.name(); }
  uint32_t key_id() const { return key_.key_id(); }
  const std::string& verifier_key() const { return key_.verifier_key(); }

 private:
  explicit Cosigner(NoteKey key) : key_(std::move(key)) {}

  NoteKey key_;
};

class CosignatureVerifier {
 public:
  // Parses a cosigner verifier key. kInvalidArgument naming what is wrong
  // (bad name, key id not matching, not type 0x04, bad base64).
  static Result<CosignatureVerifier> FromVerifierKey(std::string_view vkey);

  // Finds this witness's line in signed note `signed_note` (a checkpoint
  // with the log's signature and any cosignatures) and checks it over the
  // note's text. The cosignature's time (seconds) on success. kMalformed
  // for a note or a line of ours that does not parse (a truncated one);
  // kBadSignature when no line of this key is present or it does not
  // verify. Lines of other keys are ignored.
  Result<uint64_t> Verify(std::string_view signed_note) const;

  const std::string& name() const { return key_.name(); }
  uint32_t key_id() const { return key_.key_id(); }

 private:
  explicit CosignatureVerifier(NoteKey key) : key_(std::move(key)) {}

  NoteKey key_;
};

using CosignerKeys = NoteKeys;

// A fresh cosigner key pair for witness `name`. kInvalidArgument for a name
// IsValidNoteKeyName refuses.
Result<CosignerKeys> GenerateCosignerKeys(std::string_view name);

}  // namespace docbus::audit
