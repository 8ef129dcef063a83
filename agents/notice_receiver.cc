#include "agents/notice_receiver.h"

#include <algorithm>

#include "agents/agent_metrics.h"
#include "bus/crypto/sha256.h"
#include "docbus/v1/notice.pb.h"

namespace docbus::agent {
namespace {

std::string ConcatDigests(
    const google::protobuf::RepeatedPtrField<std::string>& digests) {
  std::string out;
  for (const std::string& d : digests) out += d;
  return out;
}

uint64_t PlusOne(int64_t index) {
  return index >= 0 ? static_cast<uint64_t>(index) + 1 : 0;
}

}  // namespace

void NoticeReceiver::PrepareReceipt(const v1::SignedReceipt& receipt,
                                    PreparedNotice* out) const {
  if (!out->receipt_body.ParseFromString(receipt.body())) {
    out->parsed = Status(Code::kMalformed, "receipt body does not parse");
    return;
  }
  out->verified = ctx_.verifier->Verify(receipt.body(), receipt.signature(),
                                        out->receipt_body.recipient());
}

void NoticeReceiver::PrepareStatus(const v1::SignedStatus& status,
                                   PreparedNotice* out) const {
  if (!out->status_body.ParseFromString(status.body())) {
    out->parsed = Status(Code::kMalformed, "status body does not parse");
    return;
  }
  out->verified = ctx_.verifier->Verify(status.body(), status.signature(),
                                        out->status_body.from().organ_id());
}

Status NoticeReceiver::HandleReceipt(uint64_t delivery_id,
                                     const v1::SignedReceipt& receipt,
                                     const PreparedNotice& prepared,
                                     TurnOutput& out) {
  if (!prepared.parsed.ok()) {
    RefuseDelivery(ctx_, "receipt", delivery_id, prepared.parsed, "", out);
    return Status::Ok();
  }
  const v1::ReceiptBody& body = prepared.receipt_body;
  const std::string& message_id = body.message_id();
  DOCBUS_ASSIGN_OR_RETURN(std::optional<OutboxEntry> sent,
                          ctx_.store.FindOutbox(message_id));
  if (!sent.has_value() || sent->kind != OutboxKind::kDocument ||
      body.sender() != ctx_.agency_id) {
    RefuseDelivery(ctx_, "receipt", delivery_id,
                   Status(Code::kUnknownDocument,
                          "receipt for a document we did not send"),
                   message_id, out);
    return Status::Ok();
  }
  if (std::find(sent->recipients.begin(), sent->recipients.end(),
                body.recipient()) == sent->recipients.end()) {
    RefuseDelivery(ctx_, "receipt", delivery_id,
                   Status(Code::kNotPermitted,
                          "receipt from an agency that is not a recipient"),
                   message_id, out);
    return Status::Ok();
  }
  if (!prepared.verified.ok()) {
    RefuseDelivery(ctx_, "receipt", delivery_id, prepared.verified, message_id,
                   out);
    return Status::Ok();
  }
  if (body.header_sha256() != sent->header_sha256 ||
      ConcatDigests(body.attachment_sha256()) != sent->attachment_sha256) {
    RefuseDelivery(ctx_, "receipt", delivery_id,
                   Status(Code::kDigestMismatch,
                          "receipt digests differ from what we sent"),
                   message_id, out);
    return Status::Ok();
  }

  const std::string signed_receipt = receipt.SerializeAsString();
  DOCBUS_ASSIGN_OR_RETURN(
      bool added, ctx_.store.AddReceipt(message_id, body.recipient(),
                                        body.received_unix_ms(), signed_receipt,
                                        ctx_.clock.NowUnixMillis()));
  if (added) {
    v1::AuditRecord record;
    record.set_event(v1::AUDIT_RECEIPT_RECEIVED);
    record.set_message_id(message_id);
    record.set_document_id(sent->document_id);
    record.set_sender(ctx_.agency_id);
    record.add_recipients(body.recipient());
    record.set_header_sha256(body.header_sha256());
    for (const std::string& d : body.attachment_sha256())
      record.add_attachment_sha256(d);
    record.set_time_unix_ms(ctx_.clock.NowUnixMillis());
    record.set_evidence_sha256(crypto::Sha256(signed_receipt));
    record.set_prior_index_plus_one(PlusOne(sent->own_index));
    DOCBUS_RETURN_IF_ERROR(ctx_.log.Append(std::move(record)).status());
    out.after_commit.push_back(
        [this] { ctx_.metrics.Add(metric::kReceiptsReceived); });
  }
  out.replies.push_back(AckFrame(delivery_id, nullptr));
  return Status::Ok();
}

Status NoticeReceiver::HandleStatus(uint64_t delivery_id,
                                    const v1::SignedStatus& status,
                                    const PreparedNotice& prepared,
                                    TurnOutput& out) {
  if (!prepared.parsed.ok()) {
    RefuseDelivery(ctx_, "status", delivery_id, prepared.parsed, "", out);
    return Status::Ok();
  }
  const v1::StatusBody& body = prepared.status_body;
  if (body.to() != ctx_.agency_id) {
    RefuseDelivery(ctx_, "status", delivery_id,
                   Status(Code::kNotPermitted,
                          "status is not addressed to " + ctx_.agency_id),
                   body.message_id(), out);
    return Status::Ok();
  }
  if (!prepared.verified.ok()) {
    RefuseDelivery(ctx_, "status", delivery_id, prepared.verified,
                   body.message_id(), out);
    return Status::Ok();
  }
  StatusEntry entry;
  entry.status_id = body.status_id();
  entry.message_id = body.message_id();
  entry.from = body.from().organ_id();
  entry.to = body.to();
  entry.code = body.code();
  entry.description = body.description();
  entry.created_unix_ms = body.created_unix_ms();
  entry.signed_status = status.SerializeAsString();
  DOCBUS_ASSIGN_OR_RETURN(bool added, ctx_.store.AddStatusReceived(entry));
  if (added) {
    v1::AuditRecord record;
    record.set_event(v1::AUDIT_STATUS_RECEIVED);
    record.set_message_id(body.message_id());
    record.set_document_id(body.response_for().document_id());
    record.set_sender(entry.from);
    record.add_recipients(ctx_.agency_id);
    record.set_status_code(body.code());
    record.set_status_id(body.status_id());
    record.set_time_unix_ms(ctx_.clock.NowUnixMillis());
    record.set_evidence_sha256(crypto::Sha256(entry.signed_status));
    DOCBUS_RETURN_IF_ERROR(ctx_.log.Append(std::move(record)).status());
    out.after_commit.push_back(
        [this] { ctx_.metrics.Add(metric::kStatusesReceived); });
  }
  out.replies.push_back(AckFrame(delivery_id, nullptr));
  return Status::Ok();
}

Status NoticeReceiver::HandleDeadLetter(uint64_t delivery_id,
                                        const v1::DeadLetterNotice& notice,
                                        TurnOutput& out) {
  DOCBUS_ASSIGN_OR_RETURN(std::optional<OutboxEntry> sent,
                          ctx_.store.FindOutbox(notice.message_id()));
  if (!sent.has_value() || sent->kind != OutboxKind::kDocument) {
    RefuseDelivery(ctx_, "dead letter", delivery_id,
                   Status(Code::kUnknownDocument,
                          "dead letter for a document we did not send"),
                   notice.message_id(), out);
    return Status::Ok();
  }
  DOCBUS_ASSIGN_OR_RETURN(
      bool added,
      ctx_.store.AddDeadLetter(notice.message_id(), notice.recipient(),
                               notice.expired_unix_ms(),
                               static_cast<int64_t>(notice.audit_index())));
  if (added) {
    v1::AuditRecord record;
    record.set_event(v1::AUDIT_DEAD_LETTER_RECEIVED);
    record.set_message_id(notice.message_id());
    record.set_document_id(sent->document_id);
    record.set_sender(ctx_.agency_id);
    record.add_recipients(notice.recipient());
    record.set_header_sha256(sent->header_sha256);
    record.set_reason(v1::REASON_EXPIRED);
    record.set_time_unix_ms(ctx_.clock.NowUnixMillis());
    record.set_prior_index_plus_one(PlusOne(sent->own_index));
    record.set_broker_index_plus_one(notice.audit_index() + 1);
    DOCBUS_RETURN_IF_ERROR(ctx_.log.Append(std::move(record)).status());
    out.after_commit.push_back(
        [this, id = notice.message_id(), to = notice.recipient()] {
          ctx_.metrics.Add(metric::kDeadLetters);
          ctx_.logger->warn("dead letter agency={} message_id={} recipient={}",
                            ctx_.agency_id, id, to);
        });
  }
  out.replies.push_back(AckFrame(delivery_id, nullptr));
  return Status::Ok();
}

}  // namespace docbus::agent
