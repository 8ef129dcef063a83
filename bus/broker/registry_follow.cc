// BrokerLoop following the signed registry (pki.signed_registry): between
// turns, a new version of the file that verifies is audited (one REGISTRY
// entry: serial, digest, what changed), put in force like a reload (ZAP,
// verifier, sessions of agencies that may no longer act closed) and pushed
// to every open session as RegistryUpdate. An entry that cannot be written
// leaves the registry in force as it was; the file is tried again at the
// next check.
#include "bus/audit/audit_history.h"
#include "bus/broker/broker_loop.h"
#include "bus/broker/broker_metrics.h"
#include "bus/broker/handlers.h"

namespace docbus::broker {

void BrokerLoop::FollowSignedRegistry(int64_t mono_ms) {
  std::optional<registry::VerifiedRegistry> next =
      registry_publisher_->Poll(mono_ms);
  if (!next) return;
  // Holds the registry in force alive while it is compared.
  const std::shared_ptr<const crypto::Verifier> before = verifier_;
  (void)ApplySignedRegistry(*next, &before->registry());
}

bool BrokerLoop::ApplySignedRegistry(
    const registry::VerifiedRegistry& next,
    const registry::AgencyRegistry* before) {
  v1::AuditRecord record;
  record.set_event(v1::AUDIT_REGISTRY);
  record.set_registry_serial(next.serial);
  record.set_registry_sha256(next.sha256);
  for (v1::RegistryChange& change :
       registry::DiffRegistries(before, *next.agencies)) {
    *record.add_registry_changes() = std::move(change);
  }
  const std::string changes = audit::RegistryChangesText(record);
  // A registry whose CRL would not install changes nothing and is not
  // audited; one that cannot be audited is not put in force.
  if (Status s = pki_->CheckCrl(next.crl_pem); !s.ok()) {
    registry_publisher_->Refused(next, s);
    return false;
  }
  Turn turn(*ctx_, clock_.NowUnixMillis(), clock_.MonotonicMillis());
  Status s = store_->Begin();
  if (s.ok()) s = turn.Audit(std::move(record)).status();
  if (s.ok()) {
    s = store_->Commit();
  } else {
    (void)store_->Rollback();
  }
  if (!s.ok()) {
    audit_->Reload();
    NoteStoreFailure(*ctx_, "auditing the signed registry failed", s);
    registry_publisher_->Retry();
    return false;
  }
  if (s = pki_->Install(next.agencies, next.crl_pem); !s.ok()) {
    // Checked above on this thread: a broken invariant.
    log_->critical("the signed registry's CRL was refused after its check: {}",
                   s.ToString());
    std::abort();
  }
  const size_t closed = TakePkiInForce();
  registry_publisher_->Accepted(next);
  ctx_->registry_serial = next.serial;
  ctx_->signed_registry = registry_publisher_->signed_bytes();
  log_->info(
      "signed registry in force serial={} agencies={} sessions_closed={}: {}",
      next.serial, next.agencies->agencies().size(), closed, changes);

  v1::Frame frame;
  frame.mutable_registry_update()->set_signed_registry(next.signed_bytes);
  const std::string payload = SerializeFrame(frame);
  socket_->Refresh();
  for (const auto& [agency, session] : sessions_.sessions()) {
    if (socket_->Send(session.peer, payload) != transport::SendResult::kSent) {
      // It asks for it on its next session (Welcome carries the serial).
      log_->debug("registry update not sent agency={}", agency);
    }
  }
  return true;
}

}  // namespace docbus::broker
