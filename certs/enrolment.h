// CURVE key enrolment: an agency proves, with its X.509 signing key, that a
// new CURVE public key is its own, and the authority binds that key to the
// agency in the registry. The agency makes the key itself and only its public
// half travels: private keys never leave their owner. The request is text:
//
//   docbus-enrol/v1\n
//   <agency id>\n
//   <CURVE public key, Z85>\n
//   <base64 of a detached CMS signature over the three lines above>\n
//
// The signature's signingTime must be within kMaxEnrolmentAge of now, so an
// old request cannot re-bind a retired key later. Thread-safe; the PKI
// folder itself is edited under the same lock as authority.h's calls.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "bus/core/clock.h"
#include "bus/core/status.h"

namespace docbus::pki {

inline constexpr std::string_view kEnrolmentTag = "docbus-enrol/v1";
inline constexpr std::chrono::hours kMaxEnrolmentAge{24 * 7};

struct EnrolmentRequest {
  std::string agency_id;
  std::string curve_public_key;
  std::string signature_der;

  // "docbus-enrol/v1\n<agency id>\n<curve key>\n": what is signed.
  std::string SignedText() const;
};

// Signs a request for `curve_public` (40 Z85 characters) with the agency's
// key and certificate (the agency id is the certificate's CN). Returns the
// request text. kInvalidField for a bad CURVE key; file and OpenSSL errors
// as Signer::Load.
Result<std::string> MakeEnrolmentRequest(const std::filesystem::path& key_pem,
                                         const std::filesystem::path& cert_pem,
                                         std::string_view curve_public);

// kMalformed unless `text` has exactly the form above.
Result<EnrolmentRequest> ParseEnrolmentRequest(std::string_view text);

// Verifies `request` against the PKI in `dir` (root, CRL, registry) with the
// Verifier (its codes: kUnknownAgency, kAgencyRevoked, kSignerMismatch,
// kBadSignature, kCertificate*...), checks its age (kExpired) and that no
// other agency holds the key (kAlreadyExists), then binds the key in the
// registry and writes agencies/<id>/curve.public (a stale curve.secret the
// authority held for that agency is removed). Returns the agency id.
Result<std::string> AcceptEnrolment(const std::filesystem::path& dir,
                                    std::string_view request,
                                    const Clock& clock);
Result<std::string> AcceptEnrolment(const std::filesystem::path& dir,
                                    std::string_view request);

}  // namespace docbus::pki
