// An agency's (or the broker's) private signing key wherever it lives: a
// PEM file on the agency's machine, or a key on a PKCS#11 token named by an
// RFC 7512 URI (pkcs11_uri.h). A key reference is one string: a path, or a
// URI starting "pkcs11:"; `description()` is what may be logged of it (the
// path, or the URI without its query, where the PIN is). A token key's
// private operations run on the token (pkcs11_token.h): Signer serialises
// them. Immutable after Open; the EVP_PKEY is shared by the callers.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "bus/core/status.h"
#include "bus/crypto/openssl_util.h"

namespace docbus::crypto {

class SigningKey {
 public:
  // Opens `key_ref`: a PEM private key file (kNotFound / kIoError for the
  // file, kInvalidArgument when it does not parse), or a pkcs11: URI opened
  // through `pkcs11_module` (empty: p11-kit's proxy; OpenTokenKey's errors).
  static Result<std::unique_ptr<SigningKey>> Open(
      std::string_view key_ref, std::string_view pkcs11_module = {});
  // A PEM private key already in memory.
  static Result<std::unique_ptr<SigningKey>> FromPem(std::string_view pem);

  EVP_PKEY* pkey() const { return key_.get(); }
  bool on_token() const { return token_session_ != nullptr; }
  const std::string& description() const { return description_; }

 private:
  SigningKey(std::shared_ptr<void> token_session, EvpPkeyPtr key,
             std::string description)
      : token_session_(std::move(token_session)),
        key_(std::move(key)),
        description_(std::move(description)) {}

  std::shared_ptr<void> token_session_;  // outlives key_
  EvpPkeyPtr key_;
  std::string description_;
};

}  // namespace docbus::crypto
