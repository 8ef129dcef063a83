#include "bus/audit/note_key.h"

#include <openssl/crypto.h>
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

struct NoteKey::Pkey {
  EVP_PKEY* pkey = nullptr;
  ~Pkey() { EVP_PKEY_free(pkey); }
};

namespace {

constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";

// "<name>+<hex8 id>+<base64(alg || key32)>".
std::string FormatKey(std::string_view name, uint32_t id, uint8_t alg,
                      std::string_view key32) {
  std::string blob(1, static_cast<char>(alg));
  blob.append(key32);
  std::string text =
      std::string(name) + "+" + Hex8(id) + "+" + Base64Encode(blob);
  OPENSSL_cleanse(blob.data(), blob.size());
  return text;
}

Status Invalid(std::string_view what, std::string_view why) {
  return Status(Code::kInvalidArgument,
                std::string(what) + " " + std::string(why));
}

// A key text's parts; `key32` is wiped when it goes.
struct KeyText {
  std::string_view name;
  uint32_t id = 0;
  std::string key32;
  ~KeyText() { OPENSSL_cleanse(key32.data(), key32.size()); }
};

// Splits "<name>+<hex8>+<base64(alg || key32)>" (the name holds no "+", the
// base64 may) and checks each part, but not the id against the key.
Result<KeyText> ParseKeyText(std::string_view text, uint8_t alg,
                             std::string_view what) {
  const size_t plus1 = text.find('+');
  const size_t plus2 = plus1 == std::string_view::npos
                           ? std::string_view::npos
                           : text.find('+', plus1 + 1);
  if (plus2 == std::string_view::npos) {
    return Invalid(what, "is not <name>+<id>+<key>");
  }
  KeyText out;
  out.name = text.substr(0, plus1);
  if (!IsValidNoteKeyName(out.name)) return Invalid(what, "has a bad name");
  const auto id = ParseHex8(text.substr(plus1 + 1, plus2 - plus1 - 1));
  auto bytes = Base64Decode(text.substr(plus2 + 1));
  const bool ours = id && bytes && bytes->size() == 33 &&
                    static_cast<uint8_t>((*bytes)[0]) == alg;
  if (ours) out.key32 = bytes->substr(1);
  if (bytes) OPENSSL_cleanse(bytes->data(), bytes->size());
  if (!ours) {
    return Invalid(what, "is not an Ed25519 key of algorithm " +
                             std::to_string(alg) + " with a hex8 key id");
  }
  out.id = *id;
  return out;
}

// The raw public key of `pkey`, or "" when OpenSSL cannot give it.
std::string PublicKey(const EVP_PKEY* pkey) {
  unsigned char pub[32];
  size_t pub_len = sizeof(pub);
  if (pkey == nullptr ||
      EVP_PKEY_get_raw_public_key(pkey, pub, &pub_len) != 1 || pub_len != 32) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(pub), 32);
}

}  // namespace

uint32_t NoteKeyId(std::string_view name, uint8_t alg,
                   std::string_view public_key32) {
  std::string input(name);
  input.push_back('\n');
  input.push_back(static_cast<char>(alg));
  input.append(public_key32);
  const std::string digest = crypto::Sha256(input);
  auto byte = [&](int i) { return uint32_t{static_cast<uint8_t>(digest[i])}; };
  return (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
}

Result<NoteKey> NoteKey::FromSignerKey(std::string_view text, uint8_t alg,
                                       std::string_view what) {
  text = TrimKeyText(text);
  if (!text.starts_with(kPrivatePrefix)) {
    return Invalid(what, "does not start with PRIVATE+KEY+");
  }
  DOCBUS_ASSIGN_OR_RETURN(
      KeyText parts, ParseKeyText(text.substr(kPrivatePrefix.size()), alg, what));
  auto pkey = std::make_shared<Pkey>();
  pkey->pkey = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(parts.key32.data()), 32);
  const std::string pub = PublicKey(pkey->pkey);
  if (pub.empty()) return crypto::OpenSslError(Code::kInvalidArgument, what);
  if (NoteKeyId(parts.name, alg, pub) != parts.id) {
    return Invalid(what, "id does not match its key");
  }
  NoteKey key;
  key.name_ = std::string(parts.name);
  key.key_id_ = parts.id;
  key.verifier_key_ = FormatKey(parts.name, parts.id, alg, pub);
  key.pkey_ = std::move(pkey);
  return key;
}

Result<NoteKey> NoteKey::FromVerifierKey(std::string_view text, uint8_t alg,
                                         std::string_view what) {
  text = TrimKeyText(text);
  DOCBUS_ASSIGN_OR_RETURN(KeyText parts, ParseKeyText(text, alg, what));
  if (NoteKeyId(parts.name, alg, parts.key32) != parts.id) {
    return Invalid(what, "id does not match its key");
  }
  auto pkey = std::make_shared<Pkey>();
  pkey->pkey = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(parts.key32.data()), 32);
  if (pkey->pkey == nullptr) {
    return crypto::OpenSslError(Code::kInvalidArgument, what);
  }
  NoteKey key;
  key.name_ = std::string(parts.name);
  key.key_id_ = parts.id;
  key.verifier_key_ = std::string(text);
  key.pkey_ = std::move(pkey);
  return key;
}

Result<NoteKeys> NoteKey::Generate(std::string_view name, uint8_t alg,
                                   std::string_view what) {
  if (!IsValidNoteKeyName(name)) {
    return Invalid(what, "name must be non-empty with no spaces or '+'");
  }
  std::string seed(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(seed.data()), 32) != 1) {
    return crypto::OpenSslError(Code::kInternal, "random bytes");
  }
  EVP_PKEY* pkey = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(seed.data()), 32);
  const std::string pub = PublicKey(pkey);
  EVP_PKEY_free(pkey);
  if (pub.empty()) {
    OPENSSL_cleanse(seed.data(), seed.size());
    return crypto::OpenSslError(Code::kInternal, "Ed25519 key");
  }
  const uint32_t id = NoteKeyId(name, alg, pub);
  NoteKeys keys;
  keys.signer_key =
      std::string(kPrivatePrefix) + FormatKey(name, id, alg, seed);
  OPENSSL_cleanse(seed.data(), seed.size());
  keys.verifier_key = FormatKey(name, id, alg, pub);
  return keys;
}

std::string NoteKey::Sign(std::string_view message) const {
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx != nullptr &&
      EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, pkey_->pkey) == 1 &&
      EVP_DigestSign(ctx, sig, &sig_len,
                     reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) == 1 &&
      sig_len == 64;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    std::fprintf(stderr, "docbus audit: Ed25519 signing failed: %s\n",
                 crypto::TakeOpenSslErrors().c_str());
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(sig), 64);
}

bool NoteKey::Verify(std::string_view signature,
                     std::string_view message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx != nullptr && signature.size() == 64 &&
      EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey_->pkey) == 1 &&
      EVP_DigestVerify(
          ctx, reinterpret_cast<const unsigned char*>(signature.data()),
          signature.size(),
          reinterpret_cast<const unsigned char*>(message.data()),
          message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) ERR_clear_error();
  return ok;
}

std::string NoteSignatureLineText(std::string_view name, uint32_t key_id,
                                  std::string_view signature) {
  std::string blob;
  for (int shift = 24; shift >= 0; shift -= 8) {
    blob.push_back(static_cast<char>(key_id >> shift));
  }
  blob.append(signature);
  return std::string(kNoteSignaturePrefix) + std::string(name) + " " +
         Base64Encode(blob) + "\n";
}

}  // namespace docbus::audit
