// SubmissionAnswers: records the broker's answers to what the agent
// submitted. Accepted{message_id, audit_index} marks the outbox entry
// accepted and appends AUDIT_SENT (a document) or AUDIT_STATUS_SENT (a status
// message) with broker_index_plus_one, in the loop turn's transaction.
// Rejected{reason} marks it rejected with the reason's snake_case name and
// detail, except REASON_UNAVAILABLE, which is transient: the entry stays
// pending and is sent again. An answer for an entry already answered (a
// retransmission crossed the first answer) changes nothing.
//
// Thread-safety: loop thread only.
#pragma once

#include "agents/turn.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::agent {

class SubmissionAnswers {
 public:
  explicit SubmissionAnswers(LoopContext& context) : ctx_(context) {}

  // Non-ok only for a storage failure.
  Status OnAccepted(const v1::Accepted& accepted, TurnOutput& out);
  Status OnRejected(const v1::Rejected& rejected, TurnOutput& out);

 private:
  LoopContext& ctx_;
};

}  // namespace docbus::agent
