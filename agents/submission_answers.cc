#include "agents/submission_answers.h"

#include "agents/agent_metrics.h"
#include "bus/core/wire_reason.h"

namespace docbus::agent {

Status SubmissionAnswers::OnAccepted(const v1::Accepted& accepted,
                                     TurnOutput& out) {
  const std::string& id = accepted.message_id();
  DOCBUS_ASSIGN_OR_RETURN(std::optional<OutboxEntry> entry,
                          ctx_.store.FindOutbox(id));
  if (!entry.has_value()) {
    ctx_.logger->warn(
        "accepted answer for an unknown submission agency={} message_id={}",
        ctx_.agency_id, id);
    ctx_.metrics.Add(metric::kBadFrames, Label("reason", "unknown_submission"));
    return Status::Ok();
  }
  out.answered.push_back(id);
  if (entry->state != OutboxState::kPending) return Status::Ok();

  v1::AuditRecord record;
  const bool is_status = entry->kind == OutboxKind::kStatus;
  record.set_event(is_status ? v1::AUDIT_STATUS_SENT : v1::AUDIT_SENT);
  record.set_message_id(is_status ? entry->about_message_id : id);
  record.set_document_id(entry->document_id);
  record.set_sender(ctx_.agency_id);
  for (const std::string& r : entry->recipients) record.add_recipients(r);
  if (is_status) {
    record.set_status_id(id);
    record.set_status_code(static_cast<v1::StatusCode>(entry->status_code));
    record.set_evidence_sha256(entry->evidence_sha256);
  } else {
    record.set_header_sha256(entry->header_sha256);
    for (size_t i = 0; i + 32 <= entry->attachment_sha256.size(); i += 32) {
      record.add_attachment_sha256(entry->attachment_sha256.substr(i, 32));
    }
  }
  record.set_time_unix_ms(ctx_.clock.NowUnixMillis());
  record.set_broker_index_plus_one(accepted.audit_index() + 1);
  DOCBUS_ASSIGN_OR_RETURN(int64_t own_index,
                          ctx_.log.Append(std::move(record)));
  DOCBUS_ASSIGN_OR_RETURN(
      bool answered,
      ctx_.store.AnswerOutbox(id, OutboxState::kAccepted, "", "",
                              static_cast<int64_t>(accepted.audit_index()),
                              own_index, ctx_.clock.NowUnixMillis()));
  if (!answered) {
    return Status(Code::kInternal,
                  "outbox entry " + id + " changed during the turn");
  }
  out.pending_delta -= 1;
  out.after_commit.push_back([this, is_status, id] {
    ctx_.metrics.Add(is_status ? metric::kStatusesSent : metric::kAccepted);
    ctx_.logger->debug("accepted agency={} message_id={}", ctx_.agency_id, id);
  });
  return Status::Ok();
}

Status SubmissionAnswers::OnRejected(const v1::Rejected& rejected,
                                     TurnOutput& out) {
  // A header the broker could not parse has no message id to answer with;
  // the correlation id is the one this agent put in the Submit (its id).
  const std::string& id = rejected.message_id().empty()
                              ? rejected.correlation_id()
                              : rejected.message_id();
  const std::string_view reason = CodeName(FromWireReason(rejected.reason()));
  if (rejected.reason() == v1::REASON_UNAVAILABLE ||
      rejected.reason() == v1::REASON_RESOURCE_EXHAUSTED) {
    // Transient at the broker (busy, or its disk nearly full): stays in
    // flight and is retransmitted.
    ctx_.logger->info("broker busy, will resend agency={} message_id={}: {}",
                      ctx_.agency_id, id, rejected.detail());
    out.unavailable.push_back(id);
    return Status::Ok();
  }
  DOCBUS_ASSIGN_OR_RETURN(
      bool answered, ctx_.store.AnswerOutbox(id, OutboxState::kRejected, reason,
                                             rejected.detail(), -1, -1,
                                             ctx_.clock.NowUnixMillis()));
  out.answered.push_back(id);
  if (!answered) return Status::Ok();  // unknown or already answered
  out.pending_delta -= 1;
  out.after_commit.push_back([this, id, reason, detail = rejected.detail()] {
    ctx_.metrics.Add(metric::kRejected, Label("reason", reason));
    ctx_.logger->warn(
        "rejected by the broker agency={} message_id={} reason={}: {}",
        ctx_.agency_id, id, reason, detail);
  });
  return Status::Ok();
}

}  // namespace docbus::agent
