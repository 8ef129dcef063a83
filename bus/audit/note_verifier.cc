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
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status(Code::kMalformed, "signed note has no signature block");
  }
  std::string_view text = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') {
    return Status(Code::kMalformed, "signed note has no signature lines");
  }
  int count = 0;
  bool verified = false;
  while (!sigs.empty()) {
    size_t nl = sigs.find('\n');
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    if (!line.starts_with(kNoteSignaturePrefix)) {
      return Status(Code::kMalformed,
                    "signed note has a line that is not a signature");
    }
    line.remove_prefix(kNoteSignaturePrefix.size());
    size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return Status(Code::kMalformed, "signature line has no signature");
    }
    std::string_view name = line.substr(0, space);
    std::string_view b64 = line.substr(space + 1);
    auto sig = Base64Decode(b64);
    if (!IsValidNoteKeyName(name) || b64.empty() || !sig || sig->size() < 5) {
      return Status(Code::kMalformed, "signature line does not parse");
    }
    if (++count > kMaxNoteSignatures) {
      return Status(Code::kMalformed, "signed note has too many signatures");
    }
    auto byte = [&](int i) { return static_cast<uint8_t>((*sig)[i]); };
    uint32_t id = (uint32_t{byte(0)} << 24) | (uint32_t{byte(1)} << 16) |
                  (uint32_t{byte(2)} << 8) | uint32_t{byte(3)};
    // Someone else's, or a repeat of ours (the first one counts).
    if (name != name_ || id != key_id_ || verified) continue;
    std::string_view raw = std::string_view(*sig).substr(4);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok =
        ctx != nullptr && raw.size() == 64 &&
        EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key_->pkey) == 1 &&
        EVP_DigestVerify(
            ctx, reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
            reinterpret_cast<const unsigned char*>(text.data()),
            text.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
      ERR_clear_error();
      return Status(Code::kBadSignature, "the signature of " + name_ +
                                             " on the note does not verify");
    }
    verified = true;
  }
  if (!verified) {
    return Status(Code::kBadSignature,
                  "the note carries no signature of " + name_);
  }
  return std::string(text);
}

}  // namespace docbus::audit
