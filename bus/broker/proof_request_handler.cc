// ProofRequest: an inclusion proof (c2sp.org/tlog-proof@v1) of one audit
// entry against the latest checkpoint. An entry the latest checkpoint does
// not cover yet is answered after the next checkpoint.
#include "bus/broker/broker_metrics.h"
#include "bus/broker/checkpointer.h"
#include "bus/broker/handlers.h"
#include "bus/core/wire_reason.h"

namespace docbus::broker {
namespace {

constexpr size_t kMaxDeferredProofs = 10000;

}  // namespace

void HandleProofRequest(Turn& turn, const Inbound& in,
                        const v1::ProofRequest& request) {
  Checkpointer& checkpointer = turn.ctx.checkpointer;
  const uint64_t index = request.audit_index();
  if (index >= checkpointer.size()) {
    auto log_size = turn.ctx.audit.Size();
    if (!log_size.ok()) {
      turn.Fail(log_size.status());
      return;
    }
    if (index >= static_cast<uint64_t>(*log_size)) {
      turn.ctx.metrics.Add(metric::kFrameErrors,
                           metric::ReasonLabel(Code::kInvalidField));
      turn.AnswerError(in.peer, v1::REASON_INVALID_FIELD,
                       "audit index " + std::to_string(index) +
                           " is past the end of the log");
      return;
    }
    if (checkpointer.deferred() >= kMaxDeferredProofs) {
      turn.AnswerError(
          in.peer, v1::REASON_UNAVAILABLE,
          "audit index " + std::to_string(index) + " is not covered yet");
      return;
    }
    checkpointer.Defer(in.peer, index);
    return;
  }
  auto proof = checkpointer.Proof(index);
  if (!proof.ok()) {
    turn.ctx.log->error("inclusion proof agency={} index={}: {}", in.agency_id,
                        index, proof.status().ToString());
    turn.AnswerError(in.peer, ToWireReason(proof.status().code()),
                     proof.status().message());
    return;
  }
  v1::Frame frame;
  frame.mutable_proof_response()->set_audit_index(index);
  frame.mutable_proof_response()->set_tlog_proof(std::move(proof).value());
  turn.Answer(in.peer, frame);
}

}  // namespace docbus::broker
