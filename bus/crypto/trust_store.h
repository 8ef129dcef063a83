// The national trust anchor: the root CA certificate and its current CRL.
// Check() validates one certificate: issued by the root (chain), not listed
// in the CRL, and inside its validity window (and the root's) at the
// injected Clock's time. Chain + CRL results are cached per certificate
// fingerprint, so each certificate costs one X.509 validation until the CRL
// is reloaded; the time window is compared on every call, from values decoded
// once, so a certificate that expires while cached is refused.
//
// A CRL past its nextUpdate is still used (a late CRL publication must not
// stop the national bus); Load and ReloadCrl log a warning for it and
// crl_next_update_unix_s() lets an operator alert on it.
//
// Thread-safe: Check from many threads; ReloadCrl may run concurrently (a
// Check in flight finishes against the CRL it started with). The Clock must
// outlive the store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "bus/core/clock.h"
#include "bus/core/status.h"
#include "bus/crypto/certificate.h"
#include "bus/crypto/openssl_util.h"

namespace docbus::crypto {

class TrustStore {
 public:
  // Reads the root certificate (must be a self-signed CA) and the CRL (must
  // be signed by that root). kNotFound / kIoError for the files,
  // kInvalidArgument for content that does not parse,
  // kUntrustedCertificate for a CRL the root did not sign.
  static Result<std::unique_ptr<TrustStore>> Load(
      const std::filesystem::path& root_pem,
      const std::filesystem::path& crl_pem, const Clock& clock);

  // Ok, or why `cert` must not be trusted now:
  //   kUntrustedCertificate  not issued by the root (OpenSSL's reason text);
  //   kCertificateRevoked    its serial is in the CRL;
  //   kCertificateExpired    now is outside its (or the root's) validity.
  Status Check(const Certificate& cert) const;

  // Replaces the CRL (same checks as Load) and clears the cache. A CRL whose
  // crlNumber is lower than the one in force is refused (kInvalidArgument):
  // an old file put back must not lift a revocation. On failure the previous
  // CRL stays in force.
  Status ReloadCrl(const std::filesystem::path& crl_pem);
  // The same for a CRL already in memory (a signed registry carries it);
  // `origin` names it in errors and logs.
  static Result<std::unique_ptr<TrustStore>> LoadWithCrlPem(
      const std::filesystem::path& root_pem, std::string_view crl_text,
      const std::string& crl_origin, const Clock& clock);
  Status ReloadCrlPem(std::string_view crl_text, const std::string& origin);
  // Ok when ReloadCrlPem would accept `crl_text` now; changes nothing.
  Status CheckCrlPem(std::string_view crl_text,
                     const std::string& origin) const;

  const Certificate& root() const { return *root_; }
  // The current CRL's nextUpdate (seconds since the epoch; 0 if it has none).
  int64_t crl_next_update_unix_s() const;
  // Certificates whose chain + CRL result is cached (for tests and metrics).
  size_t cached_certificates() const;

 private:
  // The root + one CRL, with the results computed against them. Replaced
  // whole by ReloadCrl.
  struct Anchor {
    X509StorePtr store;
    int64_t crl_next_update = 0;
    int64_t crl_number = 0;  // 0 when the CRL carries none
    mutable std::shared_mutex mu;
    mutable std::unordered_map<std::string, Status> results;  // by fingerprint
  };

  TrustStore(std::shared_ptr<const Certificate> root, const Clock& clock)
      : root_(std::move(root)), clock_(clock) {}
  Result<std::shared_ptr<const Anchor>> BuildAnchor(
      const std::filesystem::path& crl_pem) const;
  Result<std::shared_ptr<const Anchor>> BuildAnchorFromPem(
      std::string_view text, const std::string& origin) const;
  Status Install(std::shared_ptr<const Anchor> fresh,
                 const std::string& origin);
  // Refuses a CRL numbered below the one in force; anchor_mu_ held.
  Status NotOlder(const Anchor& fresh, const std::string& origin) const;
  std::shared_ptr<const Anchor> anchor() const;
  Status Validate(const Anchor& anchor, const Certificate& cert) const;

  std::shared_ptr<const Certificate> root_;
  const Clock& clock_;
  mutable std::mutex anchor_mu_;
  std::shared_ptr<const Anchor> anchor_;
};

}  // namespace docbus::crypto
