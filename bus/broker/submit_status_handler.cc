// SubmitStatus: an edXML status message about a document (01-06, 15, 16 from
// a recipient to the sender; 13 from the sender to a recipient). It must
// follow the document's state machine for that recipient (status_rules.h;
// kInvalidTransition otherwise). Stored with an AUDIT_STATUS entry and a
// status delivery to its addressee; Accepted after the commit, deduplicated
// on status_id.
#include "bus/broker/broker_metrics.h"
#include "bus/broker/handlers.h"
#include "bus/core/wire_reason.h"
#include "bus/crypto/sha256.h"
#include "bus/document/status_rules.h"

namespace docbus::broker {
namespace {

void RejectStatus(Turn& turn, const Inbound& in, const v1::SubmitStatus& submit,
                  const v1::StatusBody* body, const Status& why) {
  BrokerContext& ctx = turn.ctx;
  v1::AuditRecord record;
  record.set_event(v1::AUDIT_REJECTED);
  record.set_sender(in.agency_id);
  if (body != nullptr) {
    record.set_message_id(body->message_id());
    record.set_status_id(body->status_id());
    record.set_status_code(body->code());
    record.add_recipients(body->to());
  }
  record.set_reason(ToWireReason(why.code()));
  auto index = turn.Audit(std::move(record));
  if (!index.ok()) return turn.Fail(index.status());
  const std::string status_id =
      body != nullptr ? body->status_id() : std::string();
  NoteRejected(ctx, turn.now_ms, in.agency_id, "status", status_id,
               why.code());
  ctx.log->info(
      "status rejected agency={} status_id={} message_id={} reason={}: {}",
      in.agency_id, status_id, body != nullptr ? body->message_id() : "",
      CodeName(why.code()), why.message());
  turn.AnswerRejected(in.peer, status_id, why, submit.correlation_id());
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Who may say what about a document: kNotPermitted otherwise.
Status CheckPermitted(const v1::StatusBody& body,
                      const store::DocumentRecord& doc) {
  const std::string& from = body.from().organ_id();
  if (body.code() == v1::STATUS_REVOKE_REQUESTED) {
    if (from != doc.sender || !Contains(doc.recipients, body.to())) {
      return Status(
          Code::kNotPermitted,
          "a revoke request (13) goes from the document's sender to one of "
          "its recipients");
    }
    return Status::Ok();
  }
  if (!Contains(doc.recipients, from) || body.to() != doc.sender) {
    return Status(Code::kNotPermitted,
                  "status " + std::to_string(body.code()) +
                      " goes from a recipient of the document to its sender");
  }
  return Status::Ok();
}

// The state machine of (document, recipient): the statuses accepted so far,
// in order, and the new one after them. `*verdict` is Ok or
// kInvalidTransition; the returned Status is the store's.
Status CheckLifecycle(store::BrokerStore& store,
                      const store::DocumentRecord& doc,
                      const std::string& recipient, v1::StatusCode code,
                      Status* verdict) {
  DOCBUS_ASSIGN_OR_RETURN(std::vector<store::StatusRecord> history,
                          store.ListStatuses(doc.id, recipient));
  document::DocumentLifecycle lifecycle;
  for (const store::StatusRecord& prior : history) {
    document::ApplyTransition(lifecycle,
                              static_cast<v1::StatusCode>(prior.code));
  }
  *verdict = document::CheckTransition(lifecycle, code);
  return Status::Ok();
}

}  // namespace

void HandleSubmitStatus(Turn& turn, const Inbound& in,
                        const v1::SubmitStatus& submit) {
  BrokerContext& ctx = turn.ctx;
  const v1::SignedStatus& signed_status = submit.status();
  if (static_cast<int64_t>(in.frame_bytes) > ctx.options.max_frame_bytes) {
    return RejectStatus(turn, in, submit, nullptr,
                        Status(Code::kTooLarge, "frame over the limit"));
  }
  v1::StatusBody body;
  if (!body.ParseFromString(signed_status.body())) {
    return RejectStatus(turn, in, submit, nullptr,
                        Status(Code::kMalformed, "status body does not parse"));
  }
  Status s = document::CheckStatusBody(body);
  if (!s.ok()) return RejectStatus(turn, in, submit, &body, s);
  if (body.from().organ_id() != in.agency_id) {
    return RejectStatus(
        turn, in, submit, &body,
        Status(Code::kSenderMismatch,
               "from.organ_id " + body.from().organ_id() +
                   " is not the authenticated agency " + in.agency_id));
  }
  const std::string body_sha256 = crypto::Sha256(signed_status.body());
  auto existing = ctx.store.FindStatus(body.status_id());
  if (!existing.ok()) return turn.Fail(existing.status());
  if (existing->has_value()) {
    if ((*existing)->body_sha256 == body_sha256 &&
        (*existing)->reporter == in.agency_id) {
      v1::Frame frame;
      frame.mutable_accepted()->set_message_id(body.status_id());
      frame.mutable_accepted()->set_audit_index(
          static_cast<uint64_t>((*existing)->audit_index));
      frame.mutable_accepted()->set_duplicate(true);
      turn.Answer(in.peer, frame);
      return;
    }
    return RejectStatus(
        turn, in, submit, &body,
        Status(Code::kDuplicateConflict,
               "status id already used for a different status"));
  }
  s = CheckSignature(ctx, in, signed_status.body(), signed_status.signature());
  if (!s.ok()) return RejectStatus(turn, in, submit, &body, s);

  // The document: sent by the reporter (13) or by the addressee (others).
  const bool revoke = body.code() == v1::STATUS_REVOKE_REQUESTED;
  auto document = ctx.store.FindDocument(revoke ? in.agency_id : body.to(),
                                         body.message_id());
  if (!document.ok()) return turn.Fail(document.status());
  if (!document->has_value()) {
    auto other = ctx.store.FindDocument(revoke ? body.to() : in.agency_id,
                                        body.message_id());
    if (!other.ok()) return turn.Fail(other.status());
    if (other->has_value()) {
      document = std::move(other);
    } else {
      return RejectStatus(
          turn, in, submit, &body,
          Status(Code::kUnknownDocument, "no document " + body.message_id() +
                                             " between " + in.agency_id +
                                             " and " + body.to()));
    }
  }
  const store::DocumentRecord& doc = **document;
  s = CheckPermitted(body, doc);
  if (s.ok()) {
    const registry::Agency* addressee = ctx.registry->Find(body.to());
    if (addressee == nullptr) {
      s = Status(Code::kUnknownRecipient,
                 body.to() + " is not a registered agency");
    } else if (addressee->revoked) {
      s = Status(Code::kAgencyRevoked, body.to() + " is revoked");
    }
  }
  if (!s.ok()) return RejectStatus(turn, in, submit, &body, s);
  Status stored = CheckLifecycle(
      ctx.store, doc, revoke ? body.to() : in.agency_id, body.code(), &s);
  if (!stored.ok()) return turn.Fail(stored);
  if (!s.ok()) return RejectStatus(turn, in, submit, &body, s);

  const std::string evidence = signed_status.SerializeAsString();
  v1::AuditRecord record;
  record.set_event(v1::AUDIT_STATUS);
  record.set_message_id(doc.message_id);
  record.set_document_id(doc.document_id);
  record.set_sender(in.agency_id);
  record.add_recipients(body.to());
  record.set_header_sha256(doc.header_sha256);
  record.set_status_code(body.code());
  record.set_status_id(body.status_id());
  record.set_reported_unix_ms(body.created_unix_ms());
  record.set_evidence_sha256(crypto::Sha256(evidence));
  record.set_prior_index_plus_one(static_cast<uint64_t>(doc.audit_index) + 1);
  auto index = turn.Audit(std::move(record));
  if (!index.ok()) return turn.Fail(index.status());

  store::StatusRecord status{body.status_id(),
                             body.message_id(),
                             doc.id,
                             in.agency_id,
                             body.to(),
                             body.code(),
                             body_sha256,
                             *index,
                             body.created_unix_ms(),
                             turn.now_ms};
  s = ctx.store.InsertStatus(status);
  store::DeliveryRecord delivery;
  delivery.recipient = body.to();
  delivery.kind = store::DeliveryKind::kStatus;
  delivery.priority = doc.priority;
  delivery.document = doc.id;
  delivery.payload = evidence;
  delivery.status_id = body.status_id();
  delivery.size_bytes = static_cast<int64_t>(evidence.size()) + 64;
  delivery.created_unix_ms = turn.now_ms;
  delivery.prior_audit_index = *index;
  if (s.ok()) s = turn.Queue(delivery);
  if (!s.ok()) return turn.Fail(s);
  ctx.metrics.Add(metric::kStatuses);
  ctx.counters.statuses++;
  ctx.log->debug(
      "status accepted agency={} status_id={} message_id={} code={} to={}",
      in.agency_id, body.status_id(), body.message_id(), body.code(),
      body.to());
  v1::Frame frame;
  frame.mutable_accepted()->set_message_id(body.status_id());
  frame.mutable_accepted()->set_audit_index(static_cast<uint64_t>(*index));
  turn.Answer(in.peer, frame);
}

}  // namespace docbus::broker
