// A parsed X.509 certificate with the facts the bus asks about it often
// (fingerprint, subject CN, validity window), decoded once so that no
// document ever pays for certificate parsing (a verification that parses
// the certificate costs more than twice one that uses it parsed). Immutable
// after construction; const calls are thread-safe. x509() hands out OpenSSL's
// object for read-only use by other bus/crypto code.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "bus/core/status.h"
#include "bus/crypto/openssl_util.h"

namespace docbus::crypto {

class Certificate {
 public:
  // kInvalidArgument (with OpenSSL's text) when `pem` is not a certificate.
  static Result<std::shared_ptr<const Certificate>> FromPem(
      std::string_view pem);
  // As FromPem; kNotFound / kIoError for the file.
  static Result<std::shared_ptr<const Certificate>> FromFile(
      const std::filesystem::path& file);
  // Takes ownership of a parsed certificate.
  static Result<std::shared_ptr<const Certificate>> FromX509(X509Ptr cert);

  // OpenSSL's object; do not modify it.
  X509* x509() const { return cert_.get(); }
  // The subject public key, decoded once by FromX509 (never null); do not
  // modify it. Verifications use it directly, so none decodes a key.
  EVP_PKEY* public_key() const { return X509_get0_pubkey(cert_.get()); }
  // SHA-256 of the DER encoding, 32 raw bytes.
  const std::string& fingerprint() const { return fingerprint_; }
  // Subject commonName (the agency id, or "docbus broker"); "" if none.
  const std::string& common_name() const { return common_name_; }
  // Serial number as uppercase hex.
  const std::string& serial_hex() const { return serial_hex_; }
  int64_t not_before_unix_s() const { return not_before_; }
  int64_t not_after_unix_s() const { return not_after_; }

 private:
  Certificate() = default;

  X509Ptr cert_;
  std::string fingerprint_;
  std::string common_name_;
  std::string serial_hex_;
  int64_t not_before_ = 0;
  int64_t not_after_ = 0;
};

}  // namespace docbus::crypto
