// Submit: a signed document from its sender. Checks run cheapest first and
// stop at the first refusal (the business type's against the stored
// documents last); only a document that passes them all is stored,
// with one delivery per recipient and its AUDIT_ACCEPTED entry, in the turn's
// transaction. Accepted is answered after the commit; a resubmission of the
// same bytes gets the same Accepted again.
#include <algorithm>

#include "bus/broker/broker_metrics.h"
#include "bus/broker/handlers.h"
#include "bus/broker/uploaded_attachments.h"
#include "bus/core/wire_reason.h"
#include "bus/crypto/attachments.h"
#include "bus/crypto/sha256.h"
#include "bus/document/header_rules.h"
#include "bus/document/status_rules.h"

namespace docbus::broker {
namespace {

// Limits on sizes and counts, checked before the header's content, the
// signature or any attachment (only the header is parsed and hashed first,
// for the audit entry of a refusal).
Status CheckLimits(const BrokerOptions& o, const Inbound& in,
                   const v1::Submit& submit) {
  if (static_cast<int64_t>(in.frame_bytes) > o.max_frame_bytes) {
    return Status(Code::kTooLarge,
                  "frame of " + std::to_string(in.frame_bytes) +
                      " bytes, over limits.max_frame_bytes (" +
                      std::to_string(o.max_frame_bytes) + ")");
  }
  if (submit.attachments_size() > o.max_attachments) {
    return Status(Code::kTooLarge, std::to_string(submit.attachments_size()) +
                                       " attachments, over "
                                       "limits.max_attachments (" +
                                       std::to_string(o.max_attachments) + ")");
  }
  int64_t total = 0;
  for (int i = 0; i < submit.attachments_size(); ++i) {
    const auto size = static_cast<int64_t>(submit.attachments(i).data().size());
    if (size > o.max_attachment_bytes) {
      return Status(Code::kTooLarge,
                    "attachment " + std::to_string(i) +
                        " is over limits.max_attachment_bytes (" +
                        std::to_string(o.max_attachment_bytes) + " bytes)");
    }
    total += size;
  }
  if (total > o.max_document_bytes) {
    return Status(Code::kTooLarge,
                  "attachments total " + std::to_string(total) +
                      " bytes, over limits.max_document_bytes (" +
                      std::to_string(o.max_document_bytes) + ")");
  }
  if (submit.chunked() && submit.attachments_size() > 0) {
    return Status(Code::kInvalidField,
                  "a chunked Submit carries no attachment bytes");
  }
  return Status::Ok();
}

// The header rules every entry path applies, with this broker's limits.
document::HeaderLimits HeaderLimitsOf(const BrokerOptions& o) {
  document::HeaderLimits limits;
  limits.max_subject_bytes = static_cast<size_t>(o.max_subject_bytes);
  limits.max_attachments = static_cast<size_t>(o.max_attachments);
  return limits;
}

// An upload that is not complete yet: not a refusal of the document (nothing
// is audited); the agent uploads again and resubmits.
void AnswerUnavailable(Turn& turn, const Inbound& in, const v1::Submit& submit,
                       const std::string& message_id, const Status& why) {
  turn.ctx.log->info(
      "submission waits for its upload agency={} message_id={}: {}",
      in.agency_id, message_id, why.message());
  turn.AnswerRejected(in.peer, message_id, why, submit.correlation_id());
}

void Reject(Turn& turn, const Inbound& in, const v1::Submit& submit,
            const v1::DocumentHeader* header, const std::string& header_sha256,
            const Status& why) {
  BrokerContext& ctx = turn.ctx;
  const std::string message_id =
      header != nullptr ? header->message_id() : std::string();
  v1::AuditRecord record;
  record.set_event(v1::AUDIT_REJECTED);
  record.set_message_id(message_id);
  record.set_sender(in.agency_id);
  if (header != nullptr) {
    record.set_document_id(header->document_id());
    for (const v1::Organ& to : header->to())
      record.add_recipients(to.organ_id());
  }
  record.set_header_sha256(header_sha256);
  record.set_reason(ToWireReason(why.code()));
  auto index = turn.Audit(std::move(record));
  if (!index.ok()) {
    turn.Fail(index.status());
    return;
  }
  NoteRejected(ctx, turn.now_ms, in.agency_id, "document", message_id,
               why.code());
  ctx.log->info("rejected agency={} message_id={} reason={} audit_index={}: {}",
                in.agency_id, message_id, CodeName(why.code()), *index,
                why.message());
  turn.AnswerRejected(in.peer, message_id, why, submit.correlation_id());
}

void AnswerAccepted(Turn& turn, const Inbound& in,
                    const std::string& message_id, int64_t audit_index,
                    bool duplicate) {
  v1::Frame frame;
  v1::Accepted* accepted = frame.mutable_accepted();
  accepted->set_message_id(message_id);
  accepted->set_audit_index(static_cast<uint64_t>(audit_index));
  accepted->set_duplicate(duplicate);
  turn.Answer(in.peer, frame);
}

// The registry's view of every recipient: kUnknownRecipient / kAgencyRevoked.
Status CheckRecipients(const registry::AgencyRegistry& registry,
                       const v1::DocumentHeader& header) {
  for (const v1::Organ& to : header.to()) {
    const registry::Agency* agency = registry.Find(to.organ_id());
    if (agency == nullptr) {
      return Status(Code::kUnknownRecipient, "recipient " + to.organ_id() +
                                                 " is not a registered agency");
    }
    if (!agency->may_exchange()) {
      return Status(Code::kAgencyRevoked,
                    "recipient " + to.organ_id() + " is " + agency->state());
    }
  }
  return Status::Ok();
}

// The business type against the documents already stored (bus/broker/
// README.md, "Business types"): a new document's DocumentId is its sender's
// first use of it (kDuplicateDocument); a revoke / update / replace acts on
// a document its sender sent (kUnknownDocument, kNotPermitted) and goes only
// to recipients of it (kNotPermitted). `*verdict` gets the refusal; the
// returned Status is the store's.
Status CheckBusiness(store::BrokerStore& store, const std::string& sender,
                     const v1::DocumentHeader& header, Status* verdict) {
  const bool fresh = header.business_type() == v1::BUSINESS_NEW;
  const std::string& document_id =
      fresh ? header.document_id() : header.business_target_document_id();
  DOCBUS_ASSIGN_OR_RETURN(std::optional<store::DocumentRecord> found,
                          store.FindDocumentByDocumentId(sender, document_id));
  const bool own = found.has_value() && found->sender == sender;
  if (fresh) {
    if (own) {
      *verdict = Status(Code::kDuplicateDocument,
                        "document_id " + document_id +
                            " is already used by document " +
                            found->message_id + " of " + sender);
    }
    return Status::Ok();
  }
  const std::string what(document::BusinessTypeName(header.business_type()));
  if (!found.has_value()) {
    *verdict = Status(Code::kUnknownDocument,
                      "business_target_document_id: no document " +
                          document_id + " to " + what);
    return Status::Ok();
  }
  if (!own) {
    *verdict = Status(Code::kNotPermitted,
                      "business_target_document_id: only the sender of " +
                          document_id + " may " + what + " it");
    return Status::Ok();
  }
  for (const v1::Organ& to : header.to()) {
    if (std::find(found->recipients.begin(), found->recipients.end(),
                  to.organ_id()) == found->recipients.end()) {
      *verdict = Status(Code::kNotPermitted,
                        "to: " + to.organ_id() + " was not a recipient of " +
                            document_id + ", so it cannot get its " + what);
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace

void HandleSubmit(Turn& turn, const Inbound& in, const v1::Submit& submit) {
  if (RefusedForDiskSpace(turn, in, "document", "", submit.correlation_id()))
    return;
  BrokerContext& ctx = turn.ctx;
  const BrokerOptions& o = ctx.options;
  const v1::SignedDocument& signed_document = submit.document();
  v1::DocumentHeader header;
  const bool parsed = header.ParseFromString(signed_document.header());
  const v1::DocumentHeader* known = parsed ? &header : nullptr;
  const std::string header_sha256 = crypto::Sha256(signed_document.header());

  Status s = CheckLimits(o, in, submit);
  if (!s.ok()) return Reject(turn, in, submit, known, header_sha256, s);
  if (!parsed) {
    return Reject(turn, in, submit, nullptr, header_sha256,
                  Status(Code::kMalformed, "document header does not parse"));
  }
  s = document::CheckDocumentHeader(header, HeaderLimitsOf(o));
  if (!s.ok()) return Reject(turn, in, submit, known, header_sha256, s);
  if (header.from().organ_id() != in.agency_id) {
    return Reject(
        turn, in, submit, known, header_sha256,
        Status(Code::kSenderMismatch,
               "from.organ_id " + header.from().organ_id() +
                   " is not the authenticated agency " + in.agency_id));
  }

  auto existing = ctx.store.FindDocument(in.agency_id, header.message_id());
  if (!existing.ok()) return turn.Fail(existing.status());
  if (existing->has_value()) {
    const store::DocumentRecord& before = **existing;
    if (before.header_sha256 == header_sha256) {
      if (submit.chunked()) {
        s = ctx.store.DeleteUploads(in.agency_id, header.message_id());
        if (!s.ok()) return turn.Fail(s);
      }
      ctx.metrics.Add(metric::kDuplicates);
      ctx.counters.duplicates++;
      ctx.log->debug("duplicate submission agency={} message_id={}",
                     in.agency_id, header.message_id());
      return AnswerAccepted(turn, in, header.message_id(), before.audit_index,
                            true);
    }
    return Reject(turn, in, submit, known, header_sha256,
                  Status(Code::kDuplicateConflict,
                         "message id already used for a different document"));
  }

  s = CheckSignature(ctx, in, signed_document.header(),
                     signed_document.signature());
  const crypto::AttachmentLimits limits{
      static_cast<size_t>(o.max_attachments),
      static_cast<uint64_t>(o.max_attachment_bytes)};
  if (s.ok() && submit.chunked()) {
    Status stored =
        CheckUploads(ctx.store, in.agency_id, header, limits,
                     static_cast<uint64_t>(o.max_document_bytes), &s);
    if (!stored.ok()) return turn.Fail(stored);
    if (s.code() == Code::kUnavailable) {
      return AnswerUnavailable(turn, in, submit, header.message_id(), s);
    }
  } else if (s.ok()) {
    s = crypto::CheckAttachments(header, submit.attachments(), limits);
  }
  if (s.ok()) s = CheckRecipients(*ctx.registry, header);
  if (s.ok()) {
    Status stored = CheckBusiness(ctx.store, in.agency_id, header, &s);
    if (!stored.ok()) return turn.Fail(stored);
  }
  if (!s.ok()) {
    if (submit.chunked()) {
      Status dropped =
          ctx.store.DeleteUploads(in.agency_id, header.message_id());
      if (!dropped.ok()) return turn.Fail(dropped);
    }
    return Reject(turn, in, submit, known, header_sha256, s);
  }

  // Accepted: the document, its attachments, one delivery per recipient and
  // the audit entry, all in this turn's transaction.
  store::DocumentRecord document;
  document.sender = in.agency_id;
  document.message_id = header.message_id();
  document.document_id = header.document_id();
  document.header = signed_document.header();
  document.signature = signed_document.signature();
  document.header_sha256 = header_sha256;
  document.priority = header.priority();
  document.accepted_unix_ms = turn.now_ms;
  v1::AuditRecord record;
  record.set_event(v1::AUDIT_ACCEPTED);
  record.set_message_id(document.message_id);
  record.set_document_id(document.document_id);
  record.set_sender(document.sender);
  record.set_header_sha256(header_sha256);
  record.set_business_type(header.business_type());
  record.set_business_target_document_id(header.business_target_document_id());
  for (const v1::Organ& to : header.to()) {
    document.recipients.push_back(to.organ_id());
    record.add_recipients(to.organ_id());
  }
  for (const v1::AttachmentManifest& a : header.attachments()) {
    document.attachment_sha256.push_back(a.sha256());
    record.add_attachment_sha256(a.sha256());
  }
  auto index = turn.Audit(std::move(record));
  if (!index.ok()) return turn.Fail(index.status());
  document.audit_index = *index;
  s = ctx.store.InsertDocument(document);
  if (s.ok() && submit.chunked()) {
    s = AdoptUploads(ctx.store, in.agency_id, header);
  }
  for (int i = 0; s.ok() && i < submit.attachments_size(); ++i) {
    s = ctx.store.PutAttachment(submit.attachments(i).sha256(),
                                submit.attachments(i).data());
  }
  const int64_t expires = header.expires_unix_ms() > 0
                              ? header.expires_unix_ms()
                              : turn.now_ms + o.default_expiry_s * 1000;
  for (size_t i = 0; s.ok() && i < document.recipients.size(); ++i) {
    store::DeliveryRecord delivery;
    delivery.recipient = document.recipients[i];
    delivery.kind = store::DeliveryKind::kDocument;
    delivery.priority = document.priority;
    delivery.document = document.id;
    // The Deliver frame is the Submit's content plus a delivery id: bounded
    // by the frame we received and a little framing (a chunked document's
    // attachments are fetched apart).
    delivery.size_bytes = static_cast<int64_t>(in.frame_bytes) + 32;
    delivery.created_unix_ms = turn.now_ms;
    delivery.expires_unix_ms = expires;
    delivery.prior_audit_index = *index;
    s = turn.Queue(delivery);
  }
  if (!s.ok()) return turn.Fail(s);
  ctx.metrics.Add(metric::kAccepted);
  ctx.counters.accepted++;
  ctx.log->debug(
      "accepted agency={} message_id={} recipients={} audit_index={}",
      in.agency_id, document.message_id, document.recipients.size(), *index);
  AnswerAccepted(turn, in, document.message_id, *index, false);
}

}  // namespace docbus::broker
