// BrokerLoop's registry and CRL: who may connect (the ZAP handler), whose
// signatures count (the verifier) and who may still act on an open
// connection. Loaded at start; loaded again on request (SIGHUP), on the loop
// thread between turns, all or nothing.
#include "bus/broker/broker_loop.h"
#include "bus/broker/broker_metrics.h"
#include "bus/broker/handlers.h"
#include "bus/transport/registry_authenticator.h"

namespace docbus::broker {

void BrokerLoop::ReloadPki() {
  // All or nothing: a bad file leaves both as they were.
  if (Status s = pki_->Reload(); !s.ok()) {
    metrics_.Add(metric::kPkiReloads, Label("result", "failed"));
    log_->error(
        "reloading the registry and the CRL failed, keeping the "
        "current ones: {}",
        s.ToString());
    return;
  }
  const size_t closed = TakePkiInForce();
  metrics_.Add(metric::kPkiReloads, Label("result", "ok"));
  log_->info("registry and CRL reloaded agencies={} sessions_closed={}",
             verifier_->registry().agencies().size(), closed);
}

size_t BrokerLoop::TakePkiInForce() {
  verifier_ = pki_->verifier();
  const registry::AgencyRegistry& registry = verifier_->registry();
  ctx_->verifier = verifier_.get();
  ctx_->registry = &registry;
  zap_->SetAuthenticator(transport::RegistryAuthenticator(pki_->registry()));
  // An agency revoked, disabled or removed since it connected keeps its
  // connection (a ROUTER cannot close one peer's) but loses its session:
  // nothing more is delivered to it, and HandleFrame refuses whatever it
  // sends.
  std::vector<std::string> closed;
  for (const auto& [agency, session] : sessions_.sessions()) {
    if (!MayAct(registry, agency)) closed.push_back(agency);
  }
  for (const std::string& agency : closed) {
    sessions_.Close(agency);
    log_->warn(
        "session closed: agency {} is revoked, disabled or no longer "
        "registered",
        agency);
  }
  return closed.size();
}

}  // namespace docbus::broker
