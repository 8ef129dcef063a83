// Making the PKI's objects with OpenSSL: ECDSA P-256 keys, X.509 v3
// certificates (the root CA, agencies, the broker) and v2 CRLs. Used only by
// the PKI operations in authority.cc. Stateless; thread-safe. Every OpenSSL
// failure is returned with its error-queue text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bus/core/status.h"
#include "bus/crypto/openssl_util.h"

namespace docbus::pki {

Result<crypto::EvpPkeyPtr> GenerateP256Key();

struct SubjectName {
  std::string country = "VN";
  std::string organization;  // truncated to the X.509 limit of 64 characters
  std::string common_name;
  std::string serial_number;  // optional (the agency id for agencies)
};

struct CertificateSpec {
  SubjectName subject;
  EVP_PKEY* public_key = nullptr;  // the subject's key
  int64_t not_before_unix_s = 0;
  int64_t not_after_unix_s = 0;
  bool is_ca = false;
};

// Issues `spec` signed by `issuer_key`. `issuer` is null for a self-signed
// root (then issuer_key must be spec.public_key's private half). The serial
// is 127 random bits.
Result<crypto::X509Ptr> IssueCertificate(const CertificateSpec& spec,
                                         X509* issuer, EVP_PKEY* issuer_key);

struct RevokedCertificate {
  std::string serial_hex;  // uppercase hex, as Certificate::serial_hex()
  int64_t revoked_unix_s = 0;
};

struct CrlSpec {
  std::vector<RevokedCertificate> revoked;
  int64_t number = 1;
  int64_t this_update_unix_s = 0;
  int64_t next_update_unix_s = 0;
};

Result<crypto::X509CrlPtr> BuildCrl(const CrlSpec& spec, X509* issuer,
                                    EVP_PKEY* issuer_key);

// What an existing CRL says: its entries and crlNumber (0 if absent).
Result<CrlSpec> ReadCrl(X509_CRL* crl);

}  // namespace docbus::pki
