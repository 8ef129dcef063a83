#include "bus/crypto/national_pki.h"

namespace docbus::crypto {

Result<std::unique_ptr<NationalPki>> NationalPki::Load(PkiFiles files,
                                                       const Clock& clock) {
  auto registry = registry::AgencyRegistry::Load(files.registry);
  if (!registry.ok()) return registry.status().Prefixed("pki.registry");
  auto trust = TrustStore::Load(files.root_certificate, files.crl, clock);
  if (!trust.ok())
    return trust.status().Prefixed("pki.root_certificate/pki.crl");
  std::unique_ptr<NationalPki> pki(
      new NationalPki(std::move(files), std::move(trust).value()));
  pki->verifier_ = std::make_shared<const Verifier>(
      *pki->trust_, std::move(registry).value());
  return pki;
}

Result<std::unique_ptr<NationalPki>> NationalPki::FromRegistry(
    const std::filesystem::path& root_certificate,
    std::shared_ptr<const registry::AgencyRegistry> registry,
    std::string_view crl_pem, const Clock& clock) {
  auto trust = TrustStore::LoadWithCrlPem(root_certificate, crl_pem,
                                          "the signed registry's CRL", clock);
  if (!trust.ok()) {
    return trust.status().Prefixed("pki.root_certificate/pki.signed_registry");
  }
  std::unique_ptr<NationalPki> pki(new NationalPki(
      PkiFiles{root_certificate, {}, {}}, std::move(trust).value()));
  pki->verifier_ =
      std::make_shared<const Verifier>(*pki->trust_, std::move(registry));
  return pki;
}

Status NationalPki::Install(
    std::shared_ptr<const registry::AgencyRegistry> registry,
    std::string_view crl_pem) {
  DOCBUS_RETURN_IF_ERROR(
      trust_->ReloadCrlPem(crl_pem, "the signed registry's CRL"));
  PutInForce(std::move(registry));
  return Status::Ok();
}

Status NationalPki::CheckCrl(std::string_view crl_pem) const {
  return trust_->CheckCrlPem(crl_pem, "the signed registry's CRL");
}

void NationalPki::PutInForce(
    std::shared_ptr<const registry::AgencyRegistry> registry) {
  auto verifier = std::make_shared<const Verifier>(*trust_, std::move(registry));
  std::lock_guard lock(mu_);
  verifier_ = std::move(verifier);
}

Status NationalPki::Reload() {
  if (files_.registry.empty()) {
    return Status(Code::kFailedPrecondition,
                  "the PKI follows the signed registry (pki.signed_registry): "
                  "nothing to reload, a newer one applies by itself");
  }
  auto registry = registry::AgencyRegistry::Load(files_.registry);
  if (!registry.ok()) return registry.status().Prefixed("pki.registry");
  DOCBUS_RETURN_IF_ERROR(trust_->ReloadCrl(files_.crl).Prefixed("pki.crl"));
  PutInForce(std::move(registry).value());
  return Status::Ok();
}

std::shared_ptr<const Verifier> NationalPki::verifier() const {
  std::lock_guard lock(mu_);
  return verifier_;
}

std::shared_ptr<const registry::AgencyRegistry> NationalPki::registry() const {
  std::shared_ptr<const Verifier> v = verifier();
  // Shares the Verifier's ownership: the registry lives as long as it does.
  return {v, &v->registry()};
}

PkiValidity NationalPki::validity() const {
  std::shared_ptr<const Verifier> v = verifier();
  PkiValidity validity;
  validity.root_not_after = trust_->root().not_after_unix_s();
  validity.crl_next_update = trust_->crl_next_update_unix_s();
  const auto& agencies = v->registry().agencies();
  for (size_t i = 0; i < agencies.size(); ++i) {
    if (agencies[i].revoked) continue;
    validity.agencies.emplace_back(agencies[i].id, v->CertificateNotAfter(i));
  }
  return validity;
}

}  // namespace docbus::crypto
