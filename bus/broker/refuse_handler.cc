// Refuse: the recipient's agent will never accept a delivery (e.g. the
// document's signature fails there). A document delivery is dead-lettered
// with the agent's reason and its sender told; a refused notice is closed.
#include "bus/broker/broker_metrics.h"
#include "bus/broker/dead_letters.h"
#include "bus/broker/handlers.h"
#include "bus/core/wire_reason.h"

namespace docbus::broker {

void HandleRefuse(Turn& turn, const Inbound& in, const v1::Refuse& refuse) {
  auto delivery = OwnDelivery(turn, in, refuse.delivery_id(), "refuse");
  if (!delivery.has_value()) return;
  if (delivery->state != store::DeliveryState::kQueued) return;  // idempotent
  const v1::Reason reason = v1::Reason_IsValid(refuse.reason()) &&
                                    refuse.reason() != v1::REASON_UNSPECIFIED
                                ? refuse.reason()
                                : v1::REASON_UNSPECIFIED;
  if (delivery->kind != store::DeliveryKind::kDocument) {
    turn.ctx.log->warn("notice refused agency={} delivery_id={} reason={}",
                       in.agency_id, delivery->delivery_id,
                       CodeName(FromWireReason(reason)));
    Status s = turn.Finish(*delivery, store::DeliveryState::kDead);
    if (!s.ok()) turn.Fail(s);
    return;
  }
  auto document = turn.ctx.store.GetDocument(delivery->document);
  if (!document.ok()) return turn.Fail(document.status());
  turn.ctx.log->info(
      "document refused by recipient agency={} message_id={} reason={}",
      in.agency_id, document->message_id, CodeName(FromWireReason(reason)));
  Status s = DeadLetter(turn, *delivery, *document, reason);
  if (!s.ok()) turn.Fail(s);
}

}  // namespace docbus::broker
