// NationalPki: the national PKI as a daemon (broker or agent) uses it: the
// root certificate, the CRL and the agency registry, behind the Verifier in
// force. Read at start; read again by Reload (the daemon's SIGHUP, after the
// operator published a new registry or CRL), all or nothing: a registry or
// CRL that does not load leaves both as they were. Or built from a signed
// registry (FromRegistry), which the daemon follows with Install.
//
// Callers take the Verifier in force (once per turn, or once per use); it
// carries its registry, so one check sees one registry and one CRL.
//
// Thread-safety: verifier() and registry() from any thread; Reload from one
// thread at a time.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bus/core/clock.h"
#include "bus/core/status.h"
#include "bus/crypto/trust_store.h"
#include "bus/crypto/verifier.h"
#include "bus/registry/agency_registry.h"

namespace docbus::crypto {

struct PkiFiles {
  std::filesystem::path root_certificate, crl, registry;
};

// When the PKI in force stops being usable: the root's notAfter, the CRL's
// nextUpdate and each registered agency's certificate's notAfter, in
// seconds since the epoch (0: unknown). For metrics and status pages.
struct PkiValidity {
  int64_t root_not_after = 0;
  int64_t crl_next_update = 0;
  std::vector<std::pair<std::string, int64_t>> agencies;  // id, notAfter
};

class NationalPki {
 public:
  // Errors name the config key of the file that failed (pki.registry,
  // pki.root_certificate/pki.crl).
  static Result<std::unique_ptr<NationalPki>> Load(PkiFiles files,
                                                   const Clock& clock);

  // A PKI whose registry and CRL come from a verified signed registry
  // (bus/registry/signed_registry.h) rather than files; Reload is then
  // refused and Install puts newer ones in force.
  static Result<std::unique_ptr<NationalPki>> FromRegistry(
      const std::filesystem::path& root_certificate,
      std::shared_ptr<const registry::AgencyRegistry> registry,
      std::string_view crl_pem, const Clock& clock);

  // Puts `registry` and `crl_pem` in force, all or nothing: a CRL that the
  // root did not sign or older than the one in force leaves both as they
  // were (TrustStore::ReloadCrlPem's errors). The caller verified the
  // registry (VerifySignedRegistry).
  Status Install(std::shared_ptr<const registry::AgencyRegistry> registry,
                 std::string_view crl_pem);
  // Ok when Install would accept `crl_pem` now; changes nothing.
  Status CheckCrl(std::string_view crl_pem) const;

  // Reads the registry, then the CRL (TrustStore::ReloadCrl: an older CRL is
  // refused), and only when both loaded puts them in force.
  Status Reload();

  std::shared_ptr<const Verifier> verifier() const;
  std::shared_ptr<const registry::AgencyRegistry> registry() const;
  // The pinned root certificate (a signed registry must be signed by it).
  const Certificate& root() const { return trust_->root(); }
  PkiValidity validity() const;

 private:
  NationalPki(PkiFiles files, std::unique_ptr<TrustStore> trust)
      : files_(std::move(files)), trust_(std::move(trust)) {}

  void PutInForce(std::shared_ptr<const registry::AgencyRegistry> registry);

  const PkiFiles files_;
  const std::unique_ptr<TrustStore> trust_;
  mutable std::mutex mu_;
  std::shared_ptr<const Verifier> verifier_;  // guarded by mu_
};

}  // namespace docbus::crypto
