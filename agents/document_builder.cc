#include "agents/document_builder.h"

#include "bus/core/chunks.h"
#include "bus/core/ids.h"
#include "bus/crypto/sha256.h"
#include "bus/document/status_rules.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::agent {

document::HeaderLimits HeaderLimitsOf(const AgentLimits& limits) {
  document::HeaderLimits out;
  out.max_subject_bytes = static_cast<size_t>(limits.max_subject_bytes);
  out.max_attachments = static_cast<size_t>(limits.max_attachments);
  return out;
}

DocumentBuilder::DocumentBuilder(std::string agency_id,
                                 const crypto::Signer& signer,
                                 const crypto::NationalPki& pki,
                                 const Clock& clock, AgentLimits limits,
                                 document::TimeZone time_zone,
                                 const OutboxFiles* files)
    : agency_id_(std::move(agency_id)),
      signer_(signer),
      pki_(pki),
      clock_(clock),
      limits_(limits),
      time_zone_(std::move(time_zone)),
      files_(files) {}

std::string DocumentBuilder::DateOf(int64_t unix_ms) const {
  return document::EdxmlDate(unix_ms, time_zone_);
}

// The registry's view of recipients the header validator found well formed.
Status DocumentBuilder::CheckRecipients(const v1::DocumentHeader& h) const {
  const std::shared_ptr<const registry::AgencyRegistry> registry =
      pki_.registry();
  for (int i = 0; i < h.to_size(); ++i) {
    const std::string field = "to[" + std::to_string(i) + "].organ_id";
    const std::string& id = h.to(i).organ_id();
    const registry::Agency* agency = registry->Find(id);
    if (agency == nullptr) {
      return Status(Code::kUnknownRecipient,
                    field + ": agency " + id + " is not in the registry");
    }
    if (!agency->may_exchange()) {
      return Status(Code::kAgencyRevoked,
                    field + ": agency " + id + " is " + agency->state());
    }
  }
  return Status::Ok();
}

namespace {

Status AttachmentTooLarge(size_t i, int64_t limit) {
  return Status(Code::kTooLarge,
                "attachments[" + std::to_string(i) +
                    "]: larger than limits.max_attachment_bytes (" +
                    std::to_string(limit) + " bytes)");
}

}  // namespace

Status DocumentBuilder::PlaceAttachments(std::vector<AttachmentInput>& inputs,
                                         v1::DocumentHeader& h,
                                         bool* in_files) const {
  if (static_cast<int64_t>(inputs.size()) > limits_.max_attachments) {
    return Status(Code::kTooLarge, "attachments: more than limits."
                                   "max_attachments (" +
                                       std::to_string(limits_.max_attachments) +
                                       ")");
  }
  h.clear_attachments();
  uint64_t total = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    AttachmentInput& a = inputs[i];
    v1::AttachmentManifest* m = h.add_attachments();
    m->set_name(a.name);
    m->set_media_type(a.media_type.empty() ? "application/octet-stream"
                                           : a.media_type);
    if (a.uploaded_sha256.empty()) {
      m->set_size(a.data.size());
      m->set_sha256(crypto::Sha256(a.data));
    } else {
      Result<StoredAttachment> stored =
          files_ != nullptr
              ? files_->Claim(a.uploaded_sha256)
              : Status(Code::kNotFound, "this agent keeps no uploads");
      if (!stored.ok() && stored.status().code() == Code::kNotFound) {
        return Status(Code::kInvalidField,
                      "attachments[" + std::to_string(i) +
                          "].attachment_id: no uploaded attachment " +
                          Hex(a.uploaded_sha256));
      }
      if (!stored.ok()) return stored.status();
      m->set_size(stored->size);
      m->set_sha256(stored->sha256);
    }
    if (m->size() > static_cast<uint64_t>(limits_.max_attachment_bytes)) {
      return AttachmentTooLarge(i, limits_.max_attachment_bytes);
    }
    total += m->size();
  }
  if (total > static_cast<uint64_t>(limits_.max_document_bytes)) {
    return Status(Code::kTooLarge,
                  "attachments: " + std::to_string(total) +
                      " bytes together, over limits.max_document_bytes (" +
                      std::to_string(limits_.max_document_bytes) + ")");
  }
  *in_files = files_ != nullptr && total > kChunkedAbove;
  for (size_t i = 0; i < inputs.size(); ++i) {
    AttachmentInput& a = inputs[i];
    if (*in_files && a.uploaded_sha256.empty()) {
      // Given inline, sent in chunks: kept as a file like an upload.
      DOCBUS_ASSIGN_OR_RETURN(
          std::unique_ptr<OutboxFiles::Writer> writer,
          files_->Begin(static_cast<uint64_t>(limits_.max_attachment_bytes),
                        "limits.max_attachment_bytes"));
      DOCBUS_RETURN_IF_ERROR(writer->Write(a.data));
      DOCBUS_ASSIGN_OR_RETURN(StoredAttachment stored, writer->Commit());
      a.uploaded_sha256 = std::move(stored.sha256);
      a.data.clear();
    } else if (!*in_files && !a.uploaded_sha256.empty()) {
      // Small enough to travel in the frame.
      const uint64_t size = h.attachments(static_cast<int>(i)).size();
      DOCBUS_ASSIGN_OR_RETURN(
          a.data, files_->Read(a.uploaded_sha256, 0, static_cast<size_t>(size)));
      if (a.data.size() != size) {
        return Status(Code::kIoError, "attachment file " +
                                          Hex(a.uploaded_sha256) +
                                          " changed while it was read");
      }
    }
  }
  return Status::Ok();
}

Result<OutboxEntry> DocumentBuilder::BuildDocument(
    DocumentRequest request) const {
  v1::DocumentHeader& h = request.header;
  if (request.idempotency_key.size() > kMaxIdempotencyKeyBytes) {
    return Status(Code::kInvalidField,
                  "idempotency_key: longer than " +
                      std::to_string(kMaxIdempotencyKeyBytes) + " bytes");
  }
  const int64_t now = clock_.NowUnixMillis();
  h.set_message_id(NewMessageId(clock_));
  h.mutable_from()->set_organ_id(agency_id_);
  h.set_created_unix_ms(now);
  if (h.document_id().empty() && !h.code().code_number().empty() &&
      !h.code().code_notation().empty()) {
    // The promulgation date, or today in the agency's calendar.
    const std::string& date = h.promulgation_info().promulgation_date();
    h.set_document_id(agency_id_ + "," + (date.empty() ? DateOf(now) : date) +
                      "," + h.code().code_number() + "/" +
                      h.code().code_notation());
  }
  // Header and recipients first: a document refused for its header costs
  // no attachment file.
  for (const AttachmentInput& a : request.attachments) {
    v1::AttachmentManifest* m = h.add_attachments();
    m->set_name(a.name);
    m->set_media_type(a.media_type.empty() ? "application/octet-stream"
                                           : a.media_type);
    m->set_sha256(std::string(32, '\0'));
  }
  DOCBUS_RETURN_IF_ERROR(
      document::CheckDocumentHeader(h, HeaderLimitsOf(limits_)));
  DOCBUS_RETURN_IF_ERROR(CheckRecipients(h));
  OutboxEntry entry;
  DOCBUS_RETURN_IF_ERROR(
      PlaceAttachments(request.attachments, h, &entry.attachments_in_files));
  for (const v1::AttachmentManifest& m : h.attachments())
    entry.attachment_sha256 += m.sha256();
  std::string header_bytes = h.SerializeAsString();
  DOCBUS_ASSIGN_OR_RETURN(std::string signature, signer_.Sign(header_bytes));

  v1::Frame frame;
  v1::Submit* submit = frame.mutable_submit();
  submit->set_correlation_id(h.message_id());
  entry.header_sha256 = crypto::Sha256(header_bytes);
  submit->mutable_document()->set_header(std::move(header_bytes));
  submit->mutable_document()->set_signature(std::move(signature));
  if (entry.attachments_in_files) {
    submit->set_chunked(true);
  } else {
    for (int i = 0; i < h.attachments_size(); ++i) {
      v1::AttachmentData* d = submit->add_attachments();
      d->set_sha256(h.attachments(i).sha256());
      d->set_data(std::move(request.attachments[i].data));
    }
  }
  entry.message_id = h.message_id();
  entry.kind = OutboxKind::kDocument;
  for (const v1::Organ& to : h.to()) entry.recipients.push_back(to.organ_id());
  entry.document_id = h.document_id();
  entry.created_unix_ms = now;
  entry.idempotency_key = std::move(request.idempotency_key);
  entry.frame = frame.SerializeAsString();
  return entry;
}

Result<OutboxEntry> DocumentBuilder::BuildStatus(const StatusRequest& request,
                                                 StatusEntry* sent) const {
  const int64_t now = clock_.NowUnixMillis();
  v1::StatusBody body;
  body.set_status_id(NewMessageId(clock_));
  body.set_message_id(request.message_id);
  body.mutable_from()->set_organ_id(agency_id_);
  body.set_to(request.to);
  *body.mutable_response_for() = request.response_for;
  body.set_code(request.code);
  body.set_description(request.description);
  body.set_created_unix_ms(now);
  DOCBUS_RETURN_IF_ERROR(document::CheckStatusBody(
      body, static_cast<size_t>(limits_.max_description_bytes)));

  std::string body_bytes = body.SerializeAsString();
  DOCBUS_ASSIGN_OR_RETURN(std::string signature, signer_.Sign(body_bytes));
  OutboxEntry entry;
  entry.header_sha256 = crypto::Sha256(body_bytes);
  v1::Frame frame;
  frame.mutable_submit_status()->set_correlation_id(body.status_id());
  v1::SignedStatus* status = frame.mutable_submit_status()->mutable_status();
  status->set_body(std::move(body_bytes));
  status->set_signature(std::move(signature));
  entry.evidence_sha256 = crypto::Sha256(status->SerializeAsString());
  entry.message_id = body.status_id();
  entry.kind = OutboxKind::kStatus;
  entry.about_message_id = request.message_id;
  entry.recipients = {request.to};
  entry.document_id = request.response_for.document_id();
  entry.status_code = request.code;
  entry.created_unix_ms = now;
  entry.frame = frame.SerializeAsString();
  if (sent != nullptr) {
    sent->status_id = body.status_id();
    sent->message_id = request.message_id;
    sent->from = agency_id_;
    sent->to = request.to;
    sent->code = request.code;
    sent->description = request.description;
    sent->created_unix_ms = now;
  }
  return entry;
}

}  // namespace docbus::agent
