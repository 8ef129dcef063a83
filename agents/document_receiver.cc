#include "agents/document_receiver.h"

#include <map>

#include "agents/agent_metrics.h"
#include "bus/crypto/attachments.h"
#include "bus/crypto/sha256.h"

namespace docbus::agent {
namespace {

constexpr char kKind[] = "document delivery";
constexpr size_t kMaxRelayIdBytes = 64;

bool AddressedTo(const v1::DocumentHeader& header, std::string_view agency) {
  for (const v1::Organ& to : header.to()) {
    if (to.organ_id() == agency) return true;
  }
  return false;
}

}  // namespace

void DocumentReceiver::Prepare(const v1::DocumentDelivery& delivery,
                               PreparedDocument* out,
                               const Status* fetched) const {
  const std::string& header_bytes = delivery.document().header();
  out->header_bytes = header_bytes;
  out->fetched = fetched != nullptr;
  v1::DocumentHeader& header = out->header;
  if (!header.ParseFromString(header_bytes)) {
    out->early = Status(Code::kMalformed, "document header does not parse");
    return;
  }
  if (!AddressedTo(header, ctx_.agency_id)) {
    out->early = Status(Code::kNotPermitted,
                        "document is not addressed to " + ctx_.agency_id);
    return;
  }
  out->checks = ctx_.verifier->Verify(
      header_bytes, delivery.document().signature(), header.from().organ_id());
  const crypto::AttachmentLimits limits{
      static_cast<size_t>(ctx_.limits.max_attachments),
      static_cast<uint64_t>(ctx_.limits.max_attachment_bytes)};
  if (out->checks.ok() && fetched != nullptr) {
    out->checks = crypto::CheckManifest(header, limits);
    if (out->checks.ok()) out->checks = *fetched;
  } else if (out->checks.ok()) {
    out->checks =
        crypto::CheckAttachments(header, delivery.attachments(), limits);
  }
  if (!out->checks.ok()) return;

  const int64_t now = ctx_.clock.NowUnixMillis();
  const std::string header_sha256 = crypto::Sha256(header_bytes);
  v1::ReceiptBody body;
  body.set_message_id(header.message_id());
  body.set_sender(header.from().organ_id());
  body.set_recipient(ctx_.agency_id);
  body.set_header_sha256(header_sha256);
  body.set_received_unix_ms(now);

  InboxEntry& entry = out->entry;
  entry.message_id = header.message_id();
  entry.sender = header.from().organ_id();
  entry.subject = header.subject();
  entry.document_id = header.document_id();
  entry.priority = header.priority();
  entry.received_unix_ms = now;
  entry.header_bytes = header_bytes;
  entry.signature = delivery.document().signature();
  entry.broker_accepted_unix_ms = delivery.accepted_unix_ms();
  // The broker's own trace id: bounded like an organ id, else left out.
  if (delivery.relay_id().size() <= kMaxRelayIdBytes) {
    entry.broker_relay_id = delivery.relay_id();
  }
  // CheckAttachments proved a one-to-one match by digest; store in manifest
  // order.
  std::map<std::string_view, const std::string*> data_by_digest;
  for (const v1::AttachmentData& d : delivery.attachments()) {
    data_by_digest[d.sha256()] = &d.data();
  }
  v1::AuditRecord& record = out->record;
  for (const v1::AttachmentManifest& m : header.attachments()) {
    body.add_attachment_sha256(m.sha256());
    record.add_attachment_sha256(m.sha256());
    entry.attachment_sha256.push_back(m.sha256());
    entry.attachment_in_file.push_back(fetched != nullptr);
    entry.attachments.push_back(AttachmentInput{
        m.name(), m.media_type(),
        fetched != nullptr ? std::string() : *data_by_digest.at(m.sha256())});
  }

  v1::SignedReceipt& receipt = out->receipt;
  receipt.set_body(body.SerializeAsString());
  Result<std::string> signature = ctx_.signer.Sign(receipt.body());
  if (!signature.ok()) {
    out->sign_error = signature.status();
    return;
  }
  receipt.set_signature(std::move(signature).value());
  entry.receipt = receipt.SerializeAsString();

  record.set_event(v1::AUDIT_RECEIVED);
  record.set_message_id(header.message_id());
  record.set_document_id(header.document_id());
  record.set_sender(header.from().organ_id());
  record.add_recipients(ctx_.agency_id);
  record.set_header_sha256(header_sha256);
  record.set_time_unix_ms(now);
  record.set_evidence_sha256(crypto::Sha256(entry.receipt));
}

Status DocumentReceiver::Handle(uint64_t delivery_id,
                                PreparedDocument& prepared, TurnOutput& out) {
  const std::string& message_id = prepared.header.message_id();
  // Whatever the outcome, a fetch of this document is over.
  if (prepared.fetched && prepared.early.ok())
    DOCBUS_RETURN_IF_ERROR(ctx_.store.DropFetches(message_id));
  if (!prepared.early.ok()) {
    RefuseDelivery(ctx_, kKind, delivery_id, prepared.early,
                   prepared.header.message_id(), out);
    return Status::Ok();
  }
  DOCBUS_ASSIGN_OR_RETURN(std::optional<InboxEntry> stored,
                          ctx_.store.FindInbox(message_id));
  if (stored.has_value()) {
    if (stored->header_bytes != prepared.header_bytes) {
      RefuseDelivery(
          ctx_, kKind, delivery_id,
          Status(Code::kDuplicateConflict,
                 "a different document with this message id is already stored"),
          message_id, out);
      return Status::Ok();
    }
    v1::SignedReceipt receipt;
    if (!receipt.ParseFromString(stored->receipt)) {
      return Status(Code::kCorruption,
                    "stored receipt of " + message_id + " does not parse");
    }
    ctx_.logger->debug("duplicate delivery agency={} message_id={}",
                       ctx_.agency_id, message_id);
    ctx_.metrics.Add(metric::kDuplicates);
    out.replies.push_back(AckFrame(delivery_id, &receipt));
    return Status::Ok();
  }
  if (!prepared.checks.ok()) {
    RefuseDelivery(ctx_, kKind, delivery_id, prepared.checks, message_id, out);
    return Status::Ok();
  }
  DOCBUS_RETURN_IF_ERROR(prepared.sign_error);
  DOCBUS_RETURN_IF_ERROR(ctx_.store.AddInbox(prepared.entry));
  DOCBUS_RETURN_IF_ERROR(ctx_.log.Append(std::move(prepared.record)).status());

  out.replies.push_back(AckFrame(delivery_id, &prepared.receipt));
  out.after_commit.push_back([this, message_id,
                              sender = prepared.entry.sender] {
    ctx_.metrics.Add(metric::kReceived);
    ctx_.logger->debug("received document agency={} message_id={} sender={}",
                       ctx_.agency_id, message_id, sender);
  });
  return Status::Ok();
}

}  // namespace docbus::agent
