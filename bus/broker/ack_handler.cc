// Ack: the recipient stored a delivery. For a document the Ack carries the
// recipient's signed receipt, which must describe exactly the document we
// delivered and be signed by the recipient; it is recorded (AUDIT_DELIVERED)
// and queued for the document's sender. For a receipt, status or dead-letter
// notice the Ack closes it (AUDIT_NOTIFIED). Acks are idempotent.
#include "bus/broker/broker_metrics.h"
#include "bus/broker/handlers.h"
#include "bus/core/wire_reason.h"
#include "bus/crypto/sha256.h"

namespace docbus::broker {
namespace {

void RefuseAck(Turn& turn, const Inbound& in, uint64_t delivery_id,
               const Status& why) {
  turn.ctx.metrics.Add(metric::kFrameErrors, metric::ReasonLabel(why.code()));
  turn.ctx.log->warn("receipt refused agency={} delivery_id={} reason={}: {}",
                     in.agency_id, delivery_id, CodeName(why.code()),
                     why.message());
  turn.AnswerError(
      in.peer, ToWireReason(why.code()),
      "ack of delivery " + std::to_string(delivery_id) + ": " + why.message());
}

// The receipt must state what we delivered to this agency.
Status CheckReceipt(const v1::ReceiptBody& body,
                    const store::DocumentRecord& doc,
                    const std::string& agency) {
  if (body.message_id() != doc.message_id || body.sender() != doc.sender) {
    return Status(Code::kInvalidField, "receipt names another document");
  }
  if (body.recipient() != agency) {
    return Status(Code::kSignerMismatch,
                  "receipt recipient is not the acknowledging agency");
  }
  if (body.header_sha256() != doc.header_sha256) {
    return Status(Code::kDigestMismatch, "receipt header digest differs");
  }
  if (static_cast<size_t>(body.attachment_sha256_size()) !=
      doc.attachment_sha256.size()) {
    return Status(Code::kDigestMismatch,
                  "receipt lists another number of attachments");
  }
  for (int i = 0; i < body.attachment_sha256_size(); ++i) {
    if (body.attachment_sha256(i) !=
        doc.attachment_sha256[static_cast<size_t>(i)]) {
      return Status(Code::kDigestMismatch, "receipt digest of attachment " +
                                               std::to_string(i) + " differs");
    }
  }
  return Status::Ok();
}

// The audit entry of `agency` taking (a notice about) `doc`.
v1::AuditRecord AuditOf(v1::AuditEvent event, const store::DocumentRecord& doc,
                        const std::string& agency) {
  v1::AuditRecord record;
  record.set_event(event);
  record.set_message_id(doc.message_id);
  record.set_document_id(doc.document_id);
  record.set_sender(doc.sender);
  record.add_recipients(agency);
  return record;
}

void AckDocument(Turn& turn, const Inbound& in, const v1::Ack& ack,
                 const store::DeliveryRecord& delivery) {
  BrokerContext& ctx = turn.ctx;
  auto doc = ctx.store.GetDocument(delivery.document);
  if (!doc.ok()) return turn.Fail(doc.status());
  v1::ReceiptBody body;
  if (!ack.has_receipt()) {
    return RefuseAck(turn, in, ack.delivery_id(),
                     Status(Code::kMalformed,
                            "a document's ack must carry its signed receipt"));
  }
  if (!body.ParseFromString(ack.receipt().body())) {
    return RefuseAck(turn, in, ack.delivery_id(),
                     Status(Code::kMalformed, "receipt body does not parse"));
  }
  Status s = CheckReceipt(body, *doc, in.agency_id);
  if (s.ok()) {
    s = CheckSignature(ctx, in, ack.receipt().body(),
                       ack.receipt().signature());
  }
  if (!s.ok()) return RefuseAck(turn, in, ack.delivery_id(), s);

  s = turn.Finish(delivery, store::DeliveryState::kDone);
  if (!s.ok()) return turn.Fail(s);
  const std::string receipt = ack.receipt().SerializeAsString();
  v1::AuditRecord record = AuditOf(v1::AUDIT_DELIVERED, *doc, in.agency_id);
  record.set_header_sha256(doc->header_sha256);
  for (const std::string& a : doc->attachment_sha256)
    record.add_attachment_sha256(a);
  record.set_evidence_sha256(crypto::Sha256(receipt));
  record.set_prior_index_plus_one(static_cast<uint64_t>(doc->audit_index) + 1);
  auto index = turn.Audit(std::move(record));
  if (!index.ok()) return turn.Fail(index.status());

  store::DeliveryRecord to_sender;
  to_sender.recipient = doc->sender;
  to_sender.kind = store::DeliveryKind::kReceipt;
  to_sender.priority = doc->priority;
  to_sender.document = doc->id;
  to_sender.payload = receipt;
  to_sender.size_bytes = static_cast<int64_t>(receipt.size()) + 64;
  to_sender.created_unix_ms = turn.now_ms;
  to_sender.prior_audit_index = *index;
  s = turn.Queue(to_sender);
  if (!s.ok()) return turn.Fail(s);
  ctx.metrics.Add(metric::kDelivered);
  const double latency_s =
      static_cast<double>(turn.now_ms - doc->accepted_unix_ms) / 1000.0;
  ctx.metrics.Observe(metric::kDeliveryLatency, "", latency_s);
  ctx.counters.delivered++;
  ctx.delivery_latency_s_total += latency_s;
  ctx.log->debug("delivered agency={} message_id={} sender={} audit_index={}",
                 in.agency_id, doc->message_id, doc->sender, *index);
}

void AckNotice(Turn& turn, const Inbound& in,
               const store::DeliveryRecord& delivery) {
  BrokerContext& ctx = turn.ctx;
  auto doc = ctx.store.GetDocument(delivery.document);
  if (!doc.ok()) return turn.Fail(doc.status());
  Status s = turn.Finish(delivery, store::DeliveryState::kDone);
  if (!s.ok()) return turn.Fail(s);
  v1::AuditRecord record = AuditOf(v1::AUDIT_NOTIFIED, *doc, in.agency_id);
  record.set_status_id(delivery.status_id);
  if (delivery.prior_audit_index >= 0) {
    record.set_prior_index_plus_one(
        static_cast<uint64_t>(delivery.prior_audit_index) + 1);
  }
  auto index = turn.Audit(std::move(record));
  if (!index.ok()) return turn.Fail(index.status());
  ctx.metrics.Add(metric::kNotified);
  ctx.counters.notified++;
}

}  // namespace

void HandleAck(Turn& turn, const Inbound& in, const v1::Ack& ack) {
  auto delivery = OwnDelivery(turn, in, ack.delivery_id(), "ack");
  if (!delivery.has_value()) return;
  if (delivery->state != store::DeliveryState::kQueued) {
    // Already done (a retransmitted Ack) or dead: nothing more to do.
    if (Session* s = turn.ctx.sessions.Find(in.agency_id)) {
      SessionTable::Land(*s, delivery->delivery_id);
    }
    return;
  }
  if (delivery->kind == store::DeliveryKind::kDocument) {
    AckDocument(turn, in, ack, *delivery);
  } else {
    AckNotice(turn, in, *delivery);
  }
}

}  // namespace docbus::broker
