// RegistryRequest: the agent holds an older signed registry than the one
// the Welcome named; it gets the one in force (RegistryUpdate).
#include "bus/broker/broker_metrics.h"
#include "bus/broker/handlers.h"

namespace docbus::broker {

void HandleRegistryRequest(Turn& turn, const Inbound& in,
                           const v1::RegistryRequest& request) {
  BrokerContext& ctx = turn.ctx;
  if (!ctx.signed_registry) {
    ctx.metrics.Add(metric::kFrameErrors,
                    metric::ReasonLabel(Code::kNotPermitted));
    turn.AnswerError(in.peer, v1::REASON_NOT_PERMITTED,
                     "this broker follows no signed registry");
    return;
  }
  ctx.log->info("registry requested agency={} known_serial={} serial={}",
                in.agency_id, request.known_serial(), ctx.registry_serial);
  v1::Frame frame;
  frame.mutable_registry_update()->set_signed_registry(*ctx.signed_registry);
  turn.Answer(in.peer, frame);
}

}  // namespace docbus::broker
