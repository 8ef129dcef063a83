// Verifies a detached CMS signature (DER, made by Signer) over exact bytes
// as coming from a claimed agency, using that agency's certificate from the
// registry (signatures carry no certificate). Every registry certificate is
// parsed once, at construction, with its public key; chain + CRL validation
// is the TrustStore's, cached per certificate. Each Verify is then one DER
// parse of the signature, a comparison of its signer identifier (issuer and
// serial, or subject key identifier) with the registered certificate, and
// the SignerInfo check of signer_info_check.h: the signed attributes, a
// SHA-2 digest of the content compared with messageDigest, and one
// EVP_DigestVerify over the signed attributes with the certificate's key.
// It does not go through CMS_verify, which builds BIO chains and
// certificate stacks and looks its algorithms up again on every call;
// `docbus-bench --verify-floor` prints what a Verify costs on the machine
// next to a raw ECDSA verification. Build a new Verifier when
// the registry changes. Thread-safe: Verify from many threads.
// The registry must not be null (a broken invariant: aborts). The TrustStore
// (and its Clock) must outlive the Verifier.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"
#include "bus/crypto/certificate.h"
#include "bus/crypto/trust_store.h"
#include "bus/registry/agency_registry.h"

namespace docbus::crypto {

class Verifier {
 public:
  Verifier(const TrustStore& trust,
           std::shared_ptr<const registry::AgencyRegistry> registry);

  // Ok when `signature_der` is a valid signature over exactly `content` by
  // the registered, unrevoked, trusted certificate of `claimed_agency`.
  // Otherwise, checked in this order:
  //   kUnknownAgency        claimed agency not in the registry;
  //   kAgencyRevoked        the registry marks it revoked;
  //   kBadSignature         not a DER detached CMS SignedData with one
  //                         signer and a SHA-2 digest (the frame is fine,
  //                         its signature is not one);
  //   kSignerMismatch       signed with another registered agency's
  //                         certificate;
  //   kBadSignature         signed by a certificate nobody registered;
  //   kUntrustedCertificate / kCertificateRevoked / kCertificateExpired
  //                         from TrustStore::Check on the agency's certificate
  //                         (cached, so checked before the ECDSA work);
  //   kBadSignature         the bytes or the signature were altered.
  // Never changes state (beyond the TrustStore's cache); does not log: the
  // caller logs and counts the refusal once.
  Status Verify(std::string_view content, std::string_view signature_der,
                std::string_view claimed_agency) const;

  const registry::AgencyRegistry& registry() const { return *registry_; }
  // The notAfter (seconds since the epoch) of the certificate of the
  // registry's agency `index` (parallel to registry().agencies()); 0 when
  // it did not parse.
  int64_t CertificateNotAfter(size_t index) const {
    const auto& cert = certificates_.at(index).certificate;
    return cert ? cert->not_after_unix_s() : 0;
  }

 private:
  struct AgencyCertificate {
    std::shared_ptr<const Certificate> certificate;  // null if unparseable
    Status problem;                                  // why it is null
  };

  const TrustStore& trust_;
  std::shared_ptr<const registry::AgencyRegistry> registry_;
  std::vector<AgencyCertificate> certificates_;  // parallel to agencies()
};

// Ok when `signature_der` is a detached CMS signature (one signer, SHA-2)
// over exactly `content` made with `signer_certificate`'s key (the signed
// registry: the root's). kBadSignature otherwise ("signed by another key"
// when the signer is not that certificate). Checks no chain, CRL or time:
// the caller pins the certificate.
Status VerifyDetachedSignature(std::string_view content,
                               std::string_view signature_der,
                               const Certificate& signer_certificate);

// The signingTime signed attribute of a CMS signature, in seconds since the
// epoch. Only meaningful once Verify has accepted the signature.
// kBadSignature when it is not CMS, kNotFound when it has no signing time.
Result<int64_t> SigningTime(std::string_view signature_der);

}  // namespace docbus::crypto
