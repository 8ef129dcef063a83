#include "agents/agent_pki.h"

namespace docbus::agent {
namespace {

Status Named(std::string_view what, const Status& s) {
  return Status(s.code(), std::string(what) + ": " + s.message());
}

}  // namespace

Result<std::unique_ptr<AgentPki>> AgentPki::Load(PkiFiles files,
                                                 const Clock& clock) {
  auto registry = registry::AgencyRegistry::Load(files.registry);
  if (!registry.ok()) return Named("pki.registry", registry.status());
  auto trust =
      crypto::TrustStore::Load(files.root_certificate, files.crl, clock);
  if (!trust.ok()) return Named("pki.root_certificate/pki.crl", trust.status());
  std::unique_ptr<AgentPki> pki(
      new AgentPki(std::move(files), std::move(trust).value()));
  pki->verifier_ = std::make_shared<const crypto::Verifier>(
      *pki->trust_, std::move(registry).value());
  return pki;
}

Status AgentPki::Reload() {
  auto registry = registry::AgencyRegistry::Load(files_.registry);
  if (!registry.ok()) return Named("pki.registry", registry.status());
  DOCBUS_RETURN_IF_ERROR(Named("pki.crl", trust_->ReloadCrl(files_.crl)));
  auto verifier = std::make_shared<const crypto::Verifier>(
      *trust_, std::move(registry).value());
  std::lock_guard lock(mu_);
  verifier_ = std::move(verifier);
  return Status::Ok();
}

std::shared_ptr<const crypto::Verifier> AgentPki::verifier() const {
  std::lock_guard lock(mu_);
  return verifier_;
}

std::shared_ptr<const registry::AgencyRegistry> AgentPki::registry() const {
  std::shared_ptr<const crypto::Verifier> v = verifier();
  // Shares the Verifier's ownership: the registry lives as long as it does.
  return {v, &v->registry()};
}

}  // namespace docbus::agent
