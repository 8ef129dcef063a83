// CheckpointRequest: the latest signed checkpoint with a consistency proof
// from the size the agent already trusts.
#include "bus/broker/checkpointer.h"
#include "bus/broker/handlers.h"
#include "bus/core/wire_reason.h"

namespace docbus::broker {

void HandleCheckpointRequest(Turn& turn, const Inbound& in,
                             const v1::CheckpointRequest& request) {
  auto update = turn.ctx.checkpointer.Update(request.known_size());
  if (!update.ok()) {
    if (update.status().code() != Code::kUnavailable) {
      turn.ctx.log->error("consistency proof agency={} known_size={}: {}",
                          in.agency_id, request.known_size(),
                          update.status().ToString());
    }
    turn.AnswerError(in.peer, ToWireReason(update.status().code()),
                     update.status().message());
    return;
  }
  v1::Frame frame;
  *frame.mutable_checkpoint_update() = std::move(update).value();
  turn.Answer(in.peer, frame);
}

}  // namespace docbus::broker
