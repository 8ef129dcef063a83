#include "bus/audit/note_verifier.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include "bus/audit/note_signer.h"
#include "bus/audit/note_util.h"
#include "bus/core/base64.h"
#include "bus/crypto/openssl_util.h"

namespace docbus::audit {

struct NoteVerifier::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

Result<NoteVerifier> NoteVerifier::FromVerifierKey(std::string_view vkey) {
  vkey = TrimKeyText(vkey);
  size_t plus1 = vkey.find('+');
  size_t plus2 = plus1 == std::string_view::npos ? std::string_view::npos
                                                 : vkey.find('+', plus1 + 1);
  // The base64 key after the second "+" may itself hold "+".
  if (plus2 == std::string_view::npos) {
    return Status(Code::kInvalidArgument,
                  "note verifier key is not <name>+<id>+<key>");
  }
  std::string_view name = vkey.substr(0, plus1);
  auto id = ParseHex8(vkey.substr(plus1 + 1, plus2 - plus1 - 1));
  auto key_bytes = Base64Decode(vkey.substr(plus2 + 1));
  if (!IsValidNoteKeyName(name)) {
    return Status(Code::kInvalidArgument, "note verifier key has a bad name");
  }
  if (!id || !key_bytes || key_bytes->empty()) {
    return Status(Code::kInvalidArgument,
                  "note verifier key has a bad id or key encoding");
  }
  if (static_cast<uint8_t>((*key_bytes)[0]) != kNoteAlgEd25519 ||
      key_bytes->size() != 33) {
    return Status(Code::kInvalidArgument,
                  "note verifier key is not an Ed25519 key");
  }
  std::string_view pub = std::string_view(*key_bytes).substr(1);
  if (NoteKeyId(name, pub) != *id) {
    return Status(Code::kInvalidArgument,
                  "note verifier key id does not match its key");
  }
  auto key = std::make_shared<Key>();
  key->pkey = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(pub.data()), pub.size());
  if (key->pkey == nullptr) {
    return crypto::OpenSslError(Code::kInvalidArgument, "note verifier key");
  }
  NoteVerifier verifier;
  verifier.name_ = std::string(name);
  verifier.key_id_ = *id;
  verifier.key_ = std::move(key);
  return verifier;
}

Result<std::string> NoteVerifier::Open(std::string_view note) const {
  DOCBUS_ASSIGN_OR_RETURN(SplitNote split, SplitSignedNote(note));
  for (const NoteSignatureLine& line : split.signatures) {
    // Someone else's, or a repeat of ours: the first one counts.
    if (line.name != name_ || line.key_id != key_id_) continue;
    const std::string& raw = line.signature;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok =
        ctx != nullptr && raw.size() == 64 &&
        EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key_->pkey) == 1 &&
        EVP_DigestVerify(
            ctx, reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
            reinterpret_cast<const unsigned char*>(split.text.data()),
            split.text.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
      ERR_clear_error();
      return Status(Code::kBadSignature, "the signature of " + name_ +
                                             " on the note does not verify");
    }
    return std::string(split.text);
  }
  return Status(Code::kBadSignature,
                "the note carries no signature of " + name_);
}

}  // namespace docbus::audit
