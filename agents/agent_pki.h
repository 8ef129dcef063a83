// AgentPki: the national PKI as an agent uses it: the root certificate, the
// CRL and the agency registry, behind the Verifier in force. Read at start;
// read again by Reload (the daemon's SIGHUP, after the operator copied a new
// registry or CRL), all or nothing: a registry or CRL that does not load
// leaves both as they were. So an agency that joins the bus can be written
// to, and a revoked one is refused, without restarting the agent.
//
// Each caller takes the Verifier in force once per use; it carries its
// registry, so one check sees one registry. A document is verified against
// the CRL in force when it arrives: one from an agency revoked after the
// broker accepted it is refused, as a forged one would be.
//
// Thread-safety: verifier() and registry() from any thread; Reload from one
// thread at a time.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "bus/core/clock.h"
#include "bus/core/status.h"
#include "bus/crypto/trust_store.h"
#include "bus/crypto/verifier.h"
#include "bus/registry/agency_registry.h"

namespace docbus::agent {

struct PkiFiles {
  std::filesystem::path root_certificate, crl, registry;
};

class AgentPki {
 public:
  // Errors name the config key of the file that failed (pki.registry,
  // pki.root_certificate/pki.crl).
  static Result<std::unique_ptr<AgentPki>> Load(PkiFiles files,
                                                const Clock& clock);

  // Reads the registry, then the CRL (TrustStore::ReloadCrl: an older CRL is
  // refused), and only when both loaded puts them in force.
  Status Reload();

  std::shared_ptr<const crypto::Verifier> verifier() const;
  std::shared_ptr<const registry::AgencyRegistry> registry() const;

 private:
  AgentPki(PkiFiles files, std::unique_ptr<crypto::TrustStore> trust)
      : files_(std::move(files)), trust_(std::move(trust)) {}

  const PkiFiles files_;
  const std::unique_ptr<crypto::TrustStore> trust_;
  mutable std::mutex mu_;
  std::shared_ptr<const crypto::Verifier> verifier_;  // guarded by mu_
};

}  // namespace docbus::agent
