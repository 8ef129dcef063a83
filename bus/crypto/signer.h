// Signs documents, receipts and status messages for one identity (an agency,
// or the broker): a detached CMS SignedData in DER over the exact bytes,
// without the certificate embedded (CMS_NOCERTS | CMS_BINARY | CMS_DETACHED),
// so a verifier takes the certificate from the registry: the registry is the
// authority on who an agency is, and a verification that parses an embedded
// certificate costs more than twice one that uses the cached one.
// Signed attributes: contentType, signingTime (the system clock) and
// messageDigest; no S/MIME capabilities. ECDSA keys are signed through
// SignedDataEncoder (same bytes as CMS_sign, about 3x faster); other key
// types through CMS_sign. The key and certificate are parsed once by Load.
// The key may be on a PKCS#11 token (Open with a pkcs11: URI; its
// EVP_PKEY_sign runs on the token, through libp11).
// Thread-safe: Sign may be called from many threads at once; a token key's
// signatures are made one at a time (a token session is not shared safely).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"
#include "bus/crypto/certificate.h"
#include "bus/crypto/openssl_util.h"
#include "bus/crypto/signed_data_encoder.h"
#include "bus/crypto/signing_key.h"

namespace docbus::crypto {

class Signer {
 public:
  // Reads the PEM private key and certificate and checks that they belong
  // together. kNotFound / kIoError for the files, kInvalidArgument (with
  // OpenSSL's text) when either does not parse or the key does not match.
  static Result<std::unique_ptr<Signer>> Load(
      const std::filesystem::path& key_pem,
      const std::filesystem::path& cert_pem);
  // The same from PEM text already in memory.
  static Result<std::unique_ptr<Signer>> FromPem(std::string_view key_pem,
                                                 std::string_view cert_pem);
  // `key_ref` is a PEM key file or a pkcs11: URI (SigningKey::Open, with
  // `pkcs11_module`); errors as Load, or SigningKey::Open's, naming the key
  // by its SigningKey::description() (never a PIN).
  static Result<std::unique_ptr<Signer>> Open(
      std::string_view key_ref, const std::filesystem::path& cert_pem,
      std::string_view pkcs11_module = {});
  // `key` with the certificate in `cert_pem`; kInvalidArgument when they do
  // not belong together.
  static Result<std::unique_ptr<Signer>> FromKey(
      std::unique_ptr<SigningKey> key, std::string_view cert_pem);

  // The detached CMS signature (DER) over `content`. kInternal with
  // OpenSSL's text on failure (not expected with a loaded key).
  Result<std::string> Sign(std::string_view content) const;

  // The certificate's subject CN: the agency id ("docbus broker" for the
  // broker's own certificate).
  const std::string& agency_id() const { return certificate_->common_name(); }
  const Certificate& certificate() const { return *certificate_; }

 private:
  Signer(std::unique_ptr<SigningKey> key,
         std::shared_ptr<const Certificate> certificate,
         std::optional<SignedDataEncoder> encoder)
      : key_(std::move(key)),
        certificate_(std::move(certificate)),
        encoder_(std::move(encoder)) {}

  Result<std::string> SignEcdsa(std::string_view content) const;
  Result<std::string> SignWithCms(std::string_view content) const;

  std::unique_ptr<SigningKey> key_;
  std::shared_ptr<const Certificate> certificate_;
  std::optional<SignedDataEncoder> encoder_;  // set for ECDSA keys

  // Initialised signing contexts, reused so that each Sign does no
  // algorithm look-up; one per concurrent signer at most.
  using PkeyCtxPtr =
      std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX_free>>;
  mutable std::mutex pool_mu_;
  mutable std::vector<PkeyCtxPtr> idle_contexts_;
  // Held around a token key's signature only.
  mutable std::mutex token_mu_;
};

}  // namespace docbus::crypto
