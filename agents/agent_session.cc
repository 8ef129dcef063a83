// AgentLoop's session with the broker: (re)connections, Hello and Welcome,
// the broker's errors about the session, and what the agent says about its
// connectivity (the rest of the loop is agent_loop.cc).
#include "agents/agent_loop.h"
#include "agents/agent_metrics.h"
#include "bus/core/wire_reason.h"

namespace docbus::agent {

void AgentLoop::SetConnected(bool connected) {
  if (connected == connected_) return;
  connected_ = connected;
  deps_.metrics.Set(metric::kConnected, "", connected ? 1 : 0);
  logger_->info("broker session {} agency={}", connected ? "up" : "down",
                deps_.agency_id);
}

void AgentLoop::ReportConnectivity() {
  switch (connectivity_->Update(connected_)) {
    case BrokerConnectivity::Change::kWentOffline:
      logger_->warn(
          "agency={} {} (for longer than broker.offline_after_ms={}): "
          "documents stay pending, /healthz answers 503",
          deps_.agency_id, connectivity_->Reason(),
          connectivity_->offline_after_ms());
      break;
    case BrokerConnectivity::Change::kBackOnline:
      logger_->info(
          "agency={} reached the broker at {} again: pending documents are "
          "sent",
          deps_.agency_id, connectivity_->endpoint());
      break;
    case BrokerConnectivity::Change::kNone:
      break;
  }
  const BrokerConnectivity::View v = connectivity_->Read();
  deps_.metrics.Set(metric::kBrokerOffline, "", v.offline ? 1 : 0);
  deps_.metrics.Set(metric::kBrokerDisconnectedSeconds, "",
                    static_cast<double>(v.disconnected_ms) / 1000);
}

void AgentLoop::CheckReconnected() {
  if (!socket_->TakeReconnected()) return;
  // A new connection: the broker has no session for us until Hello, and
  // whatever was in flight on the old one is gone (it delivers again, so
  // answers not sent yet are moot).
  session_ready_ = false;
  hello_wanted_ = true;
  ResetSession();
  replies_.clear();
}

void AgentLoop::ResetSession() {
  sender_.Reset();
  fetcher_.Reset();
}

void AgentLoop::OnWelcome(const v1::Welcome& welcome) {
  if (welcome.agency_id() != deps_.agency_id) {
    // The broker knows our CURVE key under another agency: nothing we send
    // would be accepted as ours. Loud, and keep trying (an operator fixes
    // the registry).
    logger_->error("broker welcomed us as agency={} but we are {}",
                   welcome.agency_id(), deps_.agency_id);
    return;
  }
  session_ready_ = true;
  hello_wanted_ = false;
  revoked_ = false;
  tracker_->set_expected_origin(welcome.log_origin());
  const int64_t now = deps_.clock.MonotonicMillis();
  next_checkpoint_ms_ = now;
  next_retransmit_ms_ = now + deps_.options.retransmit_ms;
  SetConnected(true);
  if (deps_.registry_follower != nullptr &&
      welcome.registry_serial() > deps_.registry_follower->serial()) {
    v1::Frame request;
    request.mutable_registry_request()->set_known_serial(
        deps_.registry_follower->serial());
    if (!Send(request.SerializeAsString())) {
      logger_->warn("registry request not sent agency={}; the broker pushes "
                    "the next one",
                    deps_.agency_id);
    }
  }
}

void AgentLoop::OnBrokerError(const v1::Error& error) {
  const std::string_view reason = CodeName(FromWireReason(error.reason()));
  deps_.metrics.Add(metric::kBrokerErrors, Label("reason", reason));
  if (error.reason() == v1::REASON_UNAVAILABLE) {
    // The broker lost our session (e.g. it restarted): start a new one and
    // send everything unanswered again.
    if (session_ready_) {
      logger_->info("broker asks for a new session agency={}: {}",
                    deps_.agency_id, error.detail());
    }
    session_ready_ = false;
    hello_wanted_ = true;
    last_hello_ms_ = -1;
    ResetSession();
    return;
  }
  if (error.reason() == v1::REASON_AGENCY_REVOKED) {
    // Every frame is refused until the registry restores us: said once, not
    // once per retransmission. The outbox keeps what is pending.
    if (!revoked_) {
      logger_->error(
          "the broker refuses agency={}: revoked in its registry; pending "
          "submissions stay in the outbox",
          deps_.agency_id);
    }
    revoked_ = true;
    return;
  }
  logger_->warn("error from the broker agency={} reason={}: {}",
                deps_.agency_id, reason, error.detail());
}

void AgentLoop::SendHello(int64_t now) {
  if (Send(
          HelloFrame(deps_.options.credit_count, deps_.options.credit_bytes))) {
    last_hello_ms_ = now;
    hello_wanted_ = false;
  }
}

}  // namespace docbus::agent
