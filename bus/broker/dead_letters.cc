#include "bus/broker/dead_letters.h"

#include "bus/broker/broker_metrics.h"
#include "bus/core/wire_reason.h"

namespace docbus::broker {

Status DeadLetter(Turn& turn, const store::DeliveryRecord& delivery,
                  const store::DocumentRecord& document, v1::Reason reason) {
  DOCBUS_RETURN_IF_ERROR(turn.Finish(delivery, store::DeliveryState::kDead));
  v1::AuditRecord record;
  record.set_event(v1::AUDIT_EXPIRED);
  record.set_message_id(document.message_id);
  record.set_document_id(document.document_id);
  record.set_sender(document.sender);
  record.add_recipients(delivery.recipient);
  record.set_header_sha256(document.header_sha256);
  record.set_reason(reason);
  record.set_prior_index_plus_one(static_cast<uint64_t>(document.audit_index) +
                                  1);
  DOCBUS_ASSIGN_OR_RETURN(int64_t index, turn.Audit(std::move(record)));

  v1::DeadLetterNotice notice;
  notice.set_message_id(document.message_id);
  notice.set_recipient(delivery.recipient);
  notice.set_expired_unix_ms(turn.now_ms);
  notice.set_audit_index(static_cast<uint64_t>(index));
  store::DeliveryRecord to_sender;
  to_sender.recipient = document.sender;
  to_sender.kind = store::DeliveryKind::kDeadLetter;
  to_sender.priority = document.priority;
  to_sender.document = document.id;
  to_sender.payload = notice.SerializeAsString();
  to_sender.size_bytes = static_cast<int64_t>(to_sender.payload.size()) + 64;
  to_sender.created_unix_ms = turn.now_ms;
  to_sender.prior_audit_index = index;
  DOCBUS_RETURN_IF_ERROR(turn.Queue(to_sender));

  const Code code = FromWireReason(reason);
  turn.ctx.metrics.Add(metric::kExpired, Label("reason", CodeName(code)));
  turn.ctx.counters.expired++;
  turn.ctx.log->info(
      "dead letter agency={} message_id={} recipient={} reason={} "
      "audit_index={}",
      document.sender, document.message_id, delivery.recipient, CodeName(code),
      index);
  return Status::Ok();
}

Result<bool> ExpireDueDeliveries(Turn& turn, size_t batch) {
  DOCBUS_ASSIGN_OR_RETURN(std::vector<store::DeliveryRecord> due,
                          turn.ctx.store.DueForExpiry(turn.now_ms, batch));
  size_t expired = 0;
  for (const store::DeliveryRecord& delivery : due) {
    // A delivery on its way is given the chance to be acknowledged; it
    // expires once it lands back in the queue (session gone, or no ack).
    if (turn.ctx.sessions.IsInFlight(delivery.recipient, delivery.delivery_id))
      continue;
    DOCBUS_ASSIGN_OR_RETURN(store::DocumentRecord document,
                            turn.ctx.store.GetDocument(delivery.document));
    DOCBUS_RETURN_IF_ERROR(
        DeadLetter(turn, delivery, document, v1::REASON_EXPIRED));
    ++expired;
  }
  return due.size() >= batch && expired > 0;
}

}  // namespace docbus::broker
