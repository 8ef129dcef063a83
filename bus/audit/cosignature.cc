#include "bus/audit/cosignature.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

#include "bus/audit/note_signer.h"
#include "bus/audit/note_util.h"
#include "bus/core/base64.h"
#include "bus/crypto/openssl_util.h"
#include "bus/crypto/sha256.h"

namespace docbus::audit {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

std::string VerifierKeyText(std::string_view name, uint32_t id,
                            std::string_view public_key32) {
  std::string blob(1, static_cast<char>(kCosignatureAlgEd25519));
  blob.append(public_key32);
  return std::string(name) + "+" + Hex8(id) + "+" + Base64Encode(blob);
}

void PutU64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(value >> shift));
  }
}

void PutU32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(value >> shift));
  }
}

// "<name>+<hex8>+<base64>" split at the first two "+" (the base64 may hold
// more); false when there are fewer.
bool SplitKeyText(std::string_view text, std::string_view* name,
                  std::string_view* id, std::string_view* key) {
  const size_t plus1 = text.find('+');
  if (plus1 == std::string_view::npos) return false;
  const size_t plus2 = text.find('+', plus1 + 1);
  if (plus2 == std::string_view::npos) return false;
  *name = text.substr(0, plus1);
  *id = text.substr(plus1 + 1, plus2 - plus1 - 1);
  *key = text.substr(plus2 + 1);
  return true;
}

}  // namespace

struct Cosigner::Key {
  Pkey pkey;
};
struct CosignatureVerifier::Key {
  Pkey pkey;
};

std::string CosignedMessage(std::string_view text, uint64_t time_s) {
  std::string message = "cosignature/v1\ntime " + std::to_string(time_s) + "\n";
  message.append(text);
  return message;
}

uint32_t CosignerKeyId(std::string_view name, std::string_view public_key32) {
  std::string input(name);
  input.push_back('\n');
  input.push_back(static_cast<char>(kCosignatureAlgEd25519));
  input.append(public_key32);
  const std::string digest = crypto::Sha256(input);
  auto byte = [&](int i) { return uint32_t{static_cast<uint8_t>(digest[i])}; };
  return (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
}

Result<Cosigner> Cosigner::FromKey(std::string_view skey) {
  skey = TrimKeyText(skey);
  constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  std::string_view name, id_hex, b64;
  if (!skey.starts_with(kPrefix) ||
      !SplitKeyText(skey.substr(kPrefix.size()), &name, &id_hex, &b64)) {
    return Status(Code::kInvalidArgument,
                  "cosigner key is not PRIVATE+KEY+<name>+<id>+<key>");
  }
  if (!IsValidNoteKeyName(name)) {
    return Status(Code::kInvalidArgument, "cosigner key has a bad name");
  }
  auto key_bytes = Base64Decode(b64);
  auto id = ParseHex8(id_hex);
  if (!id || !key_bytes || key_bytes->size() != 33 ||
      static_cast<uint8_t>((*key_bytes)[0]) != kCosignatureAlgEd25519) {
    OPENSSL_cleanse(key_bytes ? key_bytes->data() : nullptr,
                    key_bytes ? key_bytes->size() : 0);
    return Status(Code::kInvalidArgument,
                  "cosigner key is not an Ed25519 cosignature key (type 0x04)");
  }
  auto key = std::make_shared<Key>();
  key->pkey.reset(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(key_bytes->data() + 1), 32));
  OPENSSL_cleanse(key_bytes->data(), key_bytes->size());
  if (key->pkey == nullptr) {
    return crypto::OpenSslError(Code::kInvalidArgument, "cosigner key");
  }
  unsigned char pub[32];
  size_t pub_len = sizeof(pub);
  if (EVP_PKEY_get_raw_public_key(key->pkey.get(), pub, &pub_len) != 1 ||
      pub_len != 32) {
    return crypto::OpenSslError(Code::kInvalidArgument, "cosigner key");
  }
  std::string_view pub_view(reinterpret_cast<const char*>(pub), 32);
  const uint32_t computed = CosignerKeyId(name, pub_view);
  if (computed != *id) {
    return Status(Code::kInvalidArgument,
                  "cosigner key id does not match its key");
  }
  Cosigner cosigner;
  cosigner.name_ = std::string(name);
  cosigner.key_id_ = computed;
  cosigner.verifier_key_ = VerifierKeyText(name, computed, pub_view);
  cosigner.key_ = std::move(key);
  return cosigner;
}

std::string Cosigner::SignatureLine(std::string_view text,
                                    uint64_t time_s) const {
  const Status valid = CheckNoteText(text);
  if (!valid.ok()) {
    std::fprintf(stderr, "docbus audit: cosigning a malformed note: %s\n",
                 valid.ToString().c_str());
    std::abort();
  }
  const std::string message = CosignedMessage(text, time_s);
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx != nullptr &&
      EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_->pkey.get()) ==
          1 &&
      EVP_DigestSign(ctx, sig, &sig_len,
                     reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) == 1 &&
      sig_len == 64;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    std::fprintf(stderr, "docbus audit: Ed25519 cosigning failed: %s\n",
                 crypto::TakeOpenSslErrors().c_str());
    std::abort();
  }
  std::string blob;
  PutU32(blob, key_id_);
  PutU64(blob, time_s);
  blob.append(reinterpret_cast<const char*>(sig), 64);
  return std::string(kNoteSignaturePrefix) + name_ + " " + Base64Encode(blob) +
         "\n";
}

Result<CosignatureVerifier> CosignatureVerifier::FromVerifierKey(
    std::string_view vkey) {
  vkey = TrimKeyText(vkey);
  std::string_view name, id_hex, b64;
  if (!SplitKeyText(vkey, &name, &id_hex, &b64)) {
    return Status(Code::kInvalidArgument,
                  "cosigner verifier key is not <name>+<id>+<key>");
  }
  if (!IsValidNoteKeyName(name)) {
    return Status(Code::kInvalidArgument,
                  "cosigner verifier key has a bad name");
  }
  auto id = ParseHex8(id_hex);
  auto key_bytes = Base64Decode(b64);
  if (!id || !key_bytes || key_bytes->empty()) {
    return Status(Code::kInvalidArgument,
                  "cosigner verifier key has a bad id or key encoding");
  }
  if (static_cast<uint8_t>((*key_bytes)[0]) != kCosignatureAlgEd25519 ||
      key_bytes->size() != 33) {
    return Status(Code::kInvalidArgument,
                  "cosigner verifier key is not an Ed25519 cosignature key "
                  "(type 0x04)");
  }
  std::string_view pub = std::string_view(*key_bytes).substr(1);
  if (CosignerKeyId(name, pub) != *id) {
    return Status(Code::kInvalidArgument,
                  "cosigner verifier key id does not match its key");
  }
  auto key = std::make_shared<Key>();
  key->pkey.reset(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(pub.data()), pub.size()));
  if (key->pkey == nullptr) {
    return crypto::OpenSslError(Code::kInvalidArgument,
                                "cosigner verifier key");
  }
  CosignatureVerifier verifier;
  verifier.name_ = std::string(name);
  verifier.key_id_ = *id;
  verifier.key_ = std::move(key);
  return verifier;
}

Result<uint64_t> CosignatureVerifier::Verify(
    std::string_view signed_note) const {
  DOCBUS_ASSIGN_OR_RETURN(SplitNote note, SplitSignedNote(signed_note));
  for (const NoteSignatureLine& line : note.signatures) {
    if (line.name != name_ || line.key_id != key_id_) continue;
    // The first line of our key decides, as NoteVerifier does.
    if (line.signature.size() != 8 + 64) {
      return Status(Code::kMalformed, "the cosignature of " + name_ +
                                          " is not 72 bytes");
    }
    uint64_t time_s = 0;
    for (int i = 0; i < 8; ++i) {
      time_s = (time_s << 8) | static_cast<uint8_t>(line.signature[i]);
    }
    const std::string message = CosignedMessage(note.text, time_s);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok =
        ctx != nullptr &&
        EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr,
                             key_->pkey.get()) == 1 &&
        EVP_DigestVerify(
            ctx,
            reinterpret_cast<const unsigned char*>(line.signature.data() + 8),
            64, reinterpret_cast<const unsigned char*>(message.data()),
            message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
      ERR_clear_error();
      return Status(Code::kBadSignature,
                    "the cosignature of " + name_ + " does not verify");
    }
    return time_s;
  }
  return Status(Code::kBadSignature,
                "the checkpoint carries no cosignature of " + name_);
}

Result<CosignerKeys> GenerateCosignerKeys(std::string_view name) {
  if (!IsValidNoteKeyName(name)) {
    return Status(Code::kInvalidArgument,
                  "cosigner name must be non-empty with no spaces or '+'");
  }
  unsigned char seed[32];
  if (RAND_bytes(seed, sizeof(seed)) != 1) {
    return crypto::OpenSslError(Code::kInternal, "random bytes");
  }
  Pkey pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed,
                                         sizeof(seed)));
  unsigned char pub[32];
  size_t pub_len = sizeof(pub);
  const bool ok = pkey != nullptr &&
                  EVP_PKEY_get_raw_public_key(pkey.get(), pub, &pub_len) == 1 &&
                  pub_len == 32;
  if (!ok) {
    OPENSSL_cleanse(seed, sizeof(seed));
    return crypto::OpenSslError(Code::kInternal, "Ed25519 key");
  }
  std::string_view pub_view(reinterpret_cast<const char*>(pub), 32);
  const uint32_t id = CosignerKeyId(name, pub_view);
  std::string private_blob(1, static_cast<char>(kCosignatureAlgEd25519));
  private_blob.append(reinterpret_cast<const char*>(seed), 32);
  OPENSSL_cleanse(seed, sizeof(seed));
  CosignerKeys keys;
  keys.signer_key = "PRIVATE+KEY+" + std::string(name) + "+" + Hex8(id) + "+" +
                    Base64Encode(private_blob);
  OPENSSL_cleanse(private_blob.data(), private_blob.size());
  keys.verifier_key = VerifierKeyText(name, id, pub_view);
  return keys;
}

}  // namespace docbus::audit
