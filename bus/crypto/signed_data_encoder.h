// DER encoding of a detached CMS SignedData (RFC 5652 §5) with one signer
// identified by issuer and serial number, SHA-256, ECDSA, and the signed
// attributes contentType, signingTime and messageDigest: the same structure
// OpenSSL's CMS_sign(CMS_NOCERTS | CMS_BINARY | CMS_DETACHED |
// CMS_NOSMIMECAP) produces, so `openssl cms -verify` and CMS_verify accept
// it. Signer uses it because CMS_sign in OpenSSL 3.0 spends about twice the
// ECDSA time in allocation and algorithm look-ups, while a P-256 signature
// itself costs about 20-35 µs on the build machine (tests/crypto/bench_test.cc
// measures it). Immutable after construction; thread-safe.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus::crypto {

class SignedDataEncoder {
 public:
  // Precomputes the signer identifier of `cert`. kInternal with OpenSSL's
  // text if its issuer or serial cannot be encoded.
  static Result<SignedDataEncoder> ForCertificate(X509* cert);

  // The DER of the signed attributes, tagged as a SET OF (the bytes the
  // signature covers), for content with digest `content_sha256` signed at
  // `signing_time_unix_s`.
  std::string SignedAttributes(std::string_view content_sha256,
                               int64_t signing_time_unix_s) const;

  // The complete ContentInfo, given SignedAttributes() and the DER
  // ECDSA-Sig-Value over SHA-256 of those bytes.
  std::string ContentInfo(std::string_view signed_attributes,
                          std::string_view ecdsa_signature) const;

 private:
  SignedDataEncoder() = default;

  std::string issuer_and_serial_;  // IssuerAndSerialNumber, DER
};

}  // namespace docbus::crypto
