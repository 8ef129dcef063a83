#include "bus/audit/note_signer.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

#include "bus/audit/note_util.h"
#include "bus/core/base64.h"
#include "bus/crypto/openssl_util.h"
#include "bus/crypto/sha256.h"

namespace docbus::audit {

struct NoteSigner::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

bool IsValidNoteKeyName(std::string_view name) {
  if (name.empty() || !IsValidUtf8(name)) return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '+') return false;
  }
  return true;
}

uint32_t NoteKeyId(std::string_view name, std::string_view public_key32) {
  std::string input(name);
  input.push_back('\n');
  input.push_back(static_cast<char>(kNoteAlgEd25519));
  input.append(public_key32);
  const std::string digest = crypto::Sha256(input);
  auto byte = [&](int i) { return uint32_t{static_cast<uint8_t>(digest[i])}; };
  return (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
}

Status CheckNoteText(std::string_view text) {
  if (text.empty()) return Status(Code::kMalformed, "note text is empty");
  if (text.back() != '\n') {
    return Status(Code::kMalformed, "note text does not end in a newline");
  }
  if (!IsValidUtf8(text)) {
    return Status(Code::kMalformed, "note text is not UTF-8");
  }
  char prev = '\n';
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n') || u == 0x7f) {
      return Status(Code::kMalformed, "note text holds a control character");
    }
    if (c == '\n' && prev == '\n') {
      return Status(Code::kMalformed, "note text holds an empty line");
    }
    prev = c;
  }
  return Status::Ok();
}

Result<NoteSigner> NoteSigner::FromKey(std::string_view skey) {
  skey = TrimKeyText(skey);
  constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  if (!skey.starts_with(kPrefix)) {
    return Status(Code::kInvalidArgument,
                  "note signer key does not start with PRIVATE+KEY+");
  }
  skey.remove_prefix(kPrefix.size());
  // <name>+<hex8>+<base64>; the name holds no "+".
  size_t plus1 = skey.find('+');
  size_t plus2 = plus1 == std::string_view::npos ? std::string_view::npos
                                                 : skey.find('+', plus1 + 1);
  // The base64 key after the second "+" may itself hold "+".
  if (plus2 == std::string_view::npos) {
    return Status(Code::kInvalidArgument,
                  "note signer key is not PRIVATE+KEY+<name>+<id>+<key>");
  }
  std::string_view name = skey.substr(0, plus1);
  std::string_view id_hex = skey.substr(plus1 + 1, plus2 - plus1 - 1);
  auto key_bytes = Base64Decode(skey.substr(plus2 + 1));
  auto id = ParseHex8(id_hex);
  if (!IsValidNoteKeyName(name)) {
    return Status(Code::kInvalidArgument, "note signer key has a bad name");
  }
  if (!id || !key_bytes || key_bytes->size() != 33 ||
      static_cast<uint8_t>((*key_bytes)[0]) != kNoteAlgEd25519) {
    return Status(Code::kInvalidArgument,
                  "note signer key is not an Ed25519 key of the note format");
  }
  auto key = std::make_shared<Key>();
  key->pkey = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(key_bytes->data() + 1), 32);
  if (key->pkey == nullptr) {
    return crypto::OpenSslError(Code::kInvalidArgument, "note signer key");
  }
  unsigned char pub[32];
  size_t pub_len = sizeof(pub);
  if (EVP_PKEY_get_raw_public_key(key->pkey, pub, &pub_len) != 1 ||
      pub_len != 32) {
    return crypto::OpenSslError(Code::kInvalidArgument, "note signer key");
  }
  std::string_view pub_view(reinterpret_cast<const char*>(pub), 32);
  uint32_t computed = NoteKeyId(name, pub_view);
  if (computed != *id) {
    return Status(Code::kInvalidArgument,
                  "note signer key id does not match its key");
  }
  NoteSigner signer;
  signer.name_ = std::string(name);
  signer.key_id_ = computed;
  signer.verifier_key_ = FormatVerifierKey(name, computed, pub_view);
  signer.key_ = std::move(key);
  return signer;
}

std::string NoteSigner::SignatureLine(std::string_view text) const {
  Status valid = CheckNoteText(text);
  if (!valid.ok()) {
    std::fprintf(stderr, "docbus audit: signing a malformed note: %s\n",
                 valid.ToString().c_str());
    std::abort();
  }
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok =
      ctx != nullptr &&
      EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_->pkey) == 1 &&
      EVP_DigestSign(ctx, sig, &sig_len,
                     reinterpret_cast<const unsigned char*>(text.data()),
                     text.size()) == 1 &&
      sig_len == 64;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    std::fprintf(stderr, "docbus audit: Ed25519 signing failed: %s\n",
                 crypto::TakeOpenSslErrors().c_str());
    std::abort();
  }
  std::string blob;
  blob.push_back(static_cast<char>(key_id_ >> 24));
  blob.push_back(static_cast<char>(key_id_ >> 16));
  blob.push_back(static_cast<char>(key_id_ >> 8));
  blob.push_back(static_cast<char>(key_id_));
  blob.append(reinterpret_cast<const char*>(sig), 64);
  return std::string(kNoteSignaturePrefix) + name_ + " " + Base64Encode(blob) +
         "\n";
}

std::string NoteSigner::Sign(std::string_view text) const {
  std::string note(text);
  note.push_back('\n');
  note += SignatureLine(text);
  return note;
}

Result<NoteKeys> GenerateNoteKeys(std::string_view name) {
  if (!IsValidNoteKeyName(name)) {
    return Status(Code::kInvalidArgument,
                  "note key name must be non-empty with no spaces or '+'");
  }
  unsigned char seed[32];
  if (RAND_bytes(seed, sizeof(seed)) != 1) {
    return crypto::OpenSslError(Code::kInternal, "random bytes");
  }
  EVP_PKEY* pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed,
                                                sizeof(seed));
  unsigned char pub[32];
  size_t pub_len = sizeof(pub);
  bool ok = pkey != nullptr &&
            EVP_PKEY_get_raw_public_key(pkey, pub, &pub_len) == 1 &&
            pub_len == 32;
  EVP_PKEY_free(pkey);
  if (!ok) return crypto::OpenSslError(Code::kInternal, "Ed25519 key");
  std::string_view pub_view(reinterpret_cast<const char*>(pub), 32);
  uint32_t id = NoteKeyId(name, pub_view);
  std::string private_blob(1, static_cast<char>(kNoteAlgEd25519));
  private_blob.append(reinterpret_cast<const char*>(seed), 32);
  OPENSSL_cleanse(seed, sizeof(seed));
  NoteKeys keys;
  keys.signer_key = "PRIVATE+KEY+" + std::string(name) + "+" + Hex8(id) + "+" +
                    Base64Encode(private_blob);
  OPENSSL_cleanse(private_blob.data(), private_blob.size());
  keys.verifier_key = FormatVerifierKey(name, id, pub_view);
  return keys;
}

}  // namespace docbus::audit
