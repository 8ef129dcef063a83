// NoteKey: an Ed25519 key in golang.org/x/mod/sumdb/note's key text, for
// both of its uses here, told apart by the algorithm byte: signatures of
// notes (kNoteAlgEd25519 = 0x01: NoteSigner, NoteVerifier) and witness
// cosignatures (0x04: Cosigner, CosignatureVerifier).
//   signer key   "PRIVATE+KEY+<name>+<hex8 key id>+<base64(alg || seed32)>"
//   verifier key "<name>+<hex8 key id>+<base64(alg || public32)>"
//   key id       first 4 bytes (big-endian) of
//                SHA-256(name || "\n" || alg || public32)
// Immutable once made; copies share the key; safe from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus::audit {

uint32_t NoteKeyId(std::string_view name, uint8_t alg,
                   std::string_view public_key32);

struct NoteKeys {
  std::string signer_key;
  std::string verifier_key;
};

class NoteKey {
 public:
  // Parse key text of algorithm `alg`. kInvalidArgument beginning with
  // `what` ("note signer key", ...) and naming what is wrong (the form,
  // the name, another algorithm, a key id that is not the key's); the
  // message never holds key material.
  static Result<NoteKey> FromSignerKey(std::string_view text, uint8_t alg,
                                       std::string_view what);
  static Result<NoteKey> FromVerifierKey(std::string_view text, uint8_t alg,
                                         std::string_view what);
  // A fresh key pair's texts for `name`. kInvalidArgument beginning with
  // `what` for a name IsValidNoteKeyName refuses.
  static Result<NoteKeys> Generate(std::string_view name, uint8_t alg,
                                   std::string_view what);

  // The 64-byte Ed25519 signature of `message`. Only for a signer key; a
  // failure is OpenSSL's broken invariant and aborts.
  std::string Sign(std::string_view message) const;
  // Whether `signature` is this key's over `message`.
  bool Verify(std::string_view signature, std::string_view message) const;

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  const std::string& verifier_key() const { return verifier_key_; }

 private:
  struct Pkey;
  NoteKey() = default;

  std::string name_;
  uint32_t key_id_ = 0;
  std::string verifier_key_;
  std::shared_ptr<const Pkey> pkey_;
};

// The signature line "— <name> <base64(key id || signature)>\n".
std::string NoteSignatureLineText(std::string_view name, uint32_t key_id,
                                  std::string_view signature);

}  // namespace docbus::audit
