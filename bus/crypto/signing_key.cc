#include "bus/crypto/signing_key.h"

#include <openssl/crypto.h>

#include "bus/core/files.h"
#include "bus/crypto/pkcs11_token.h"
#include "bus/crypto/pkcs11_uri.h"

namespace docbus::crypto {
namespace {

constexpr uint64_t kMaxKeyPemBytes = 64 * 1024;

}  // namespace

Result<std::unique_ptr<SigningKey>> SigningKey::Open(
    std::string_view key_ref, std::string_view pkcs11_module) {
  if (IsPkcs11Uri(key_ref)) {
    DOCBUS_ASSIGN_OR_RETURN(Pkcs11Uri uri, Pkcs11Uri::Parse(key_ref));
    DOCBUS_ASSIGN_OR_RETURN(TokenKey token, OpenTokenKey(uri, pkcs11_module));
    return std::unique_ptr<SigningKey>(new SigningKey(
        std::move(token.session), std::move(token.key), uri.Redacted()));
  }
  const std::string path(key_ref);
  DOCBUS_ASSIGN_OR_RETURN(std::string pem,
                          ReadFileLimited(path, kMaxKeyPemBytes));
  auto key = ParsePrivateKeyPem(pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!key.ok()) return key.status().Prefixed(path);
  return std::unique_ptr<SigningKey>(
      new SigningKey(nullptr, std::move(key).value(), path));
}

Result<std::unique_ptr<SigningKey>> SigningKey::FromPem(std::string_view pem) {
  DOCBUS_ASSIGN_OR_RETURN(EvpPkeyPtr key, ParsePrivateKeyPem(pem));
  return std::unique_ptr<SigningKey>(
      new SigningKey(nullptr, std::move(key), "PEM key"));
}

}  // namespace docbus::crypto
