// The agency's certificate request (format in README.md, "Certificate
// request"): a PKCS#10 CSR made on the agency's machine, signed with its own
// P-256 key (a PEM file or a PKCS#11 token key), subject CN = agency id,
// carrying its CURVE public key inside the signed part as a subjectAltName
// URI "urn:docbus:curve:<64 hex digits>" in the extension request. The CA
// issues the certificate from it without ever seeing a private key.
// Stateless; thread-safe (a token key is used by one caller at a time).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "bus/core/status.h"
#include "bus/crypto/openssl_util.h"

namespace docbus::pki {

inline constexpr std::string_view kCurveUriPrefix = "urn:docbus:curve:";
inline constexpr size_t kMaxRequestPemBytes = 16 * 1024;

// The request's PEM text ("-----BEGIN CERTIFICATE REQUEST-----"), signed
// with `key` (ECDSA P-256, SHA-256). kInvalidField for a malformed agency id
// or CURVE key (40 Z85 characters), kInvalidArgument for a key that is not
// P-256, kInternal with OpenSSL's (or the token's) text if signing fails.
Result<std::string> MakeAgencyRequest(EVP_PKEY* key, std::string_view agency_id,
                                      std::string_view curve_public_z85);

// `docbus pki request --new-key FILE`: a fresh P-256 key written to `file`
// (PKCS#8 PEM, mode 0600, its folder made 0700 if missing). kAlreadyExists
// if `file` exists: a key is never overwritten.
Status WriteNewAgencyKey(const std::filesystem::path& file);

struct AgencyRequest {
  std::string agency_id;          // the CN
  std::string curve_public_z85;   // from the subjectAltName URI
  crypto::EvpPkeyPtr public_key;  // the key the certificate is for
};

// Parses and checks a request: one PEM CSR within kMaxRequestPemBytes,
// version 1, a P-256 key, the subject exactly one CN that is a well-formed
// agency id (kInvalidField otherwise), exactly one extension (the
// subjectAltName with exactly one URI of the form above, kInvalidField for a
// malformed CURVE key), and its signature verifying with its own key:
// proof of possession (kBadSignature). kMalformed when it does not parse.
Result<AgencyRequest> ParseAgencyRequest(std::string_view pem);

}  // namespace docbus::pki
