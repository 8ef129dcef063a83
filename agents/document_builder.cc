#include "agents/document_builder.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <ctime>
#include <set>

#include "bus/core/ids.h"
#include "bus/crypto/sha256.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::agent {
namespace {

constexpr size_t kMaxNameBytes = 255;

Status Invalid(const std::string& field, const std::string& why) {
  return Status(Code::kInvalidField, field + ": " + why);
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Status CheckUtf8Fields(const google::protobuf::Message& message,
                       const std::string& prefix) {
  using google::protobuf::FieldDescriptor;
  const auto* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string name =
        prefix.empty() ? f->name() : prefix + "." + f->name();
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      if (f->is_repeated()) {
        const int n = reflection->FieldSize(message, f);
        for (int i = 0; i < n; ++i) {
          if (!ValidUtf8(reflection->GetRepeatedString(message, f, i))) {
            return Invalid(name + "[" + std::to_string(i) + "]",
                           "not valid UTF-8");
          }
        }
      } else if (!ValidUtf8(reflection->GetString(message, f))) {
        return Invalid(name, "not valid UTF-8");
      }
    } else if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (f->is_repeated()) {
        const int n = reflection->FieldSize(message, f);
        for (int i = 0; i < n; ++i) {
          DOCBUS_RETURN_IF_ERROR(
              CheckUtf8Fields(reflection->GetRepeatedMessage(message, f, i),
                              name + "[" + std::to_string(i) + "]"));
        }
      } else {
        DOCBUS_RETURN_IF_ERROR(
            CheckUtf8Fields(reflection->GetMessage(message, f), name));
      }
    }
  }
  return Status::Ok();
}

DocumentBuilder::DocumentBuilder(std::string agency_id,
                                 const crypto::Signer& signer,
                                 const crypto::NationalPki& pki,
                                 const Clock& clock, AgentLimits limits)
    : agency_id_(std::move(agency_id)),
      signer_(signer),
      pki_(pki),
      clock_(clock),
      limits_(limits) {}

std::string DocumentBuilder::Today() const {
  const std::time_t now = clock_.NowUnixMillis() / 1000;
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04d/%02d/%02d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

Status DocumentBuilder::CheckRecipients(const v1::DocumentHeader& h) const {
  if (h.to_size() == 0)
    return Invalid("to", "at least one recipient is required");
  std::set<std::string_view> seen;
  const std::shared_ptr<const registry::AgencyRegistry> registry =
      pki_.registry();
  for (int i = 0; i < h.to_size(); ++i) {
    const std::string field = "to[" + std::to_string(i) + "]";
    const std::string& id = h.to(i).organ_id();
    DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(id).Prefixed(field));
    if (!seen.insert(id).second)
      return Invalid(field, "duplicate recipient " + id);
    const registry::Agency* agency = registry->Find(id);
    if (agency == nullptr) {
      return Status(Code::kUnknownRecipient,
                    field + ": agency " + id + " is not in the registry");
    }
    if (agency->revoked) {
      return Status(Code::kAgencyRevoked,
                    field + ": agency " + id + " is revoked");
    }
  }
  return Status::Ok();
}

Status DocumentBuilder::CheckFields(const v1::DocumentHeader& h) const {
  if (h.subject().empty()) return Invalid("subject", "is required");
  if (static_cast<int64_t>(h.subject().size()) > limits_.max_subject_bytes) {
    return Invalid(
        "subject",
        "longer than " + std::to_string(limits_.max_subject_bytes) + " bytes");
  }
  if (!h.promulgation_info().promulgation_date().empty()) {
    DOCBUS_RETURN_IF_ERROR(
        ValidateEdxmlDate(h.promulgation_info().promulgation_date())
            .Prefixed("promulgation_info.promulgation_date"));
  }
  if (!h.due_date().empty()) {
    DOCBUS_RETURN_IF_ERROR(
        ValidateEdxmlDate(h.due_date()).Prefixed("due_date"));
  }
  if (!v1::Priority_IsValid(h.priority()))
    return Invalid("priority", "must be 0 to 4");
  if (h.steering_type() < 0 || h.steering_type() > 2) {
    return Invalid("steering_type", "must be 0, 1 or 2");
  }
  if (!v1::BusinessType_IsValid(h.business_type())) {
    return Invalid("business_type", "must be 0 to 3");
  }
  if (h.business_type() != v1::BUSINESS_NEW) {
    DOCBUS_RETURN_IF_ERROR(ValidateDocumentId(h.business_target_document_id())
                               .Prefixed("business_target_document_id"));
  }
  for (int i = 0; i < h.response_for_size(); ++i) {
    const v1::ResponseFor& r = h.response_for(i);
    const std::string field = "response_for[" + std::to_string(i) + "]";
    if (!r.organ_id().empty()) {
      DOCBUS_RETURN_IF_ERROR(
          ValidateAgencyId(r.organ_id()).Prefixed(field + ".organ_id"));
    }
    if (!r.document_id().empty()) {
      DOCBUS_RETURN_IF_ERROR(
          ValidateDocumentId(r.document_id()).Prefixed(field + ".document_id"));
    }
  }
  if (h.expires_unix_ms() < 0)
    return Invalid("expires_unix_ms", "must not be negative");
  if (!h.code().code_number().empty() && !AllDigits(h.code().code_number())) {
    return Invalid("code.code_number", "must be digits");
  }
  return CheckUtf8Fields(h, "");
}

Status DocumentBuilder::CheckAttachmentInputs(
    const std::vector<AttachmentInput>& inputs) const {
  if (static_cast<int64_t>(inputs.size()) > limits_.max_attachments) {
    return Status(Code::kTooLarge, "attachments: more than " +
                                       std::to_string(limits_.max_attachments));
  }
  std::set<std::string_view> names;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const AttachmentInput& a = inputs[i];
    const std::string field = "attachments[" + std::to_string(i) + "]";
    if (a.name.empty() || a.name.size() > kMaxNameBytes || !ValidUtf8(a.name) ||
        a.name.find('/') != std::string::npos || a.name == "." ||
        a.name == "..") {
      return Invalid(field + ".name",
                     "must be a UTF-8 file name of 1 to 255 bytes without '/'");
    }
    if (!names.insert(a.name).second)
      return Invalid(field + ".name", "duplicate name");
    if (a.media_type.size() > kMaxNameBytes || !ValidUtf8(a.media_type)) {
      return Invalid(field + ".media_type",
                     "must be UTF-8 of at most 255 bytes");
    }
    if (static_cast<int64_t>(a.data.size()) > limits_.max_attachment_bytes) {
      return Status(Code::kTooLarge,
                    field + ": larger than " +
                        std::to_string(limits_.max_attachment_bytes) +
                        " bytes");
    }
  }
  return Status::Ok();
}

Result<OutboxEntry> DocumentBuilder::BuildDocument(
    DocumentRequest request) const {
  v1::DocumentHeader& h = request.header;
  DOCBUS_RETURN_IF_ERROR(CheckRecipients(h));
  DOCBUS_RETURN_IF_ERROR(CheckAttachmentInputs(request.attachments));
  const int64_t now = clock_.NowUnixMillis();
  h.set_message_id(NewMessageId(clock_));
  h.mutable_from()->set_organ_id(agency_id_);
  h.set_created_unix_ms(now);
  if (h.document_id().empty()) {
    if (h.code().code_number().empty() || h.code().code_notation().empty()) {
      return Invalid("code",
                     "code_number and code_notation are required"
                     " (or give document_id)");
    }
    const std::string& date = h.promulgation_info().promulgation_date();
    h.set_document_id(agency_id_ + "," + (date.empty() ? Today() : date) + "," +
                      h.code().code_number() + "/" + h.code().code_notation());
  }
  DOCBUS_RETURN_IF_ERROR(
      ValidateDocumentId(h.document_id()).Prefixed("document_id"));
  DOCBUS_RETURN_IF_ERROR(CheckFields(h));

  OutboxEntry entry;
  h.clear_attachments();
  for (const AttachmentInput& a : request.attachments) {
    v1::AttachmentManifest* m = h.add_attachments();
    m->set_name(a.name);
    m->set_media_type(a.media_type.empty() ? "application/octet-stream"
                                           : a.media_type);
    m->set_size(a.data.size());
    m->set_sha256(crypto::Sha256(a.data));
    entry.attachment_sha256 += m->sha256();
  }
  std::string header_bytes = h.SerializeAsString();
  DOCBUS_ASSIGN_OR_RETURN(std::string signature, signer_.Sign(header_bytes));

  v1::Frame frame;
  v1::Submit* submit = frame.mutable_submit();
  entry.header_sha256 = crypto::Sha256(header_bytes);
  submit->mutable_document()->set_header(std::move(header_bytes));
  submit->mutable_document()->set_signature(std::move(signature));
  for (int i = 0; i < h.attachments_size(); ++i) {
    v1::AttachmentData* d = submit->add_attachments();
    d->set_sha256(h.attachments(i).sha256());
    d->set_data(std::move(request.attachments[i].data));
  }
  int64_t total = 0;
  for (const v1::AttachmentData& d : submit->attachments())
    total += static_cast<int64_t>(d.data().size());
  if (total > limits_.max_document_bytes) {
    return Status(Code::kTooLarge,
                  "attachments: " + std::to_string(total) +
                      " bytes together, limit " +
                      std::to_string(limits_.max_document_bytes));
  }
  entry.message_id = h.message_id();
  entry.kind = OutboxKind::kDocument;
  for (const v1::Organ& to : h.to()) entry.recipients.push_back(to.organ_id());
  entry.document_id = h.document_id();
  entry.created_unix_ms = now;
  entry.frame = frame.SerializeAsString();
  return entry;
}

Result<OutboxEntry> DocumentBuilder::BuildStatus(const StatusRequest& request,
                                                 StatusEntry* sent) const {
  if (!v1::StatusCode_IsValid(request.code) ||
      request.code == v1::STATUS_UNSPECIFIED ||
      (request.code > v1::STATUS_DONE &&
       request.code != v1::STATUS_REVOKE_REQUESTED &&
       request.code != v1::STATUS_REVOKE_AGREED &&
       request.code != v1::STATUS_REVOKE_REFUSED)) {
    return Invalid("code", "must be one of 1-6, 13, 15, 16");
  }
  if (request.code == v1::STATUS_REFUSED && request.description.empty()) {
    return Invalid("description", "a refusal (02) needs a reason");
  }
  if (static_cast<int64_t>(request.description.size()) >
      limits_.max_description_bytes) {
    return Invalid("description",
                   "longer than " +
                       std::to_string(limits_.max_description_bytes) +
                       " bytes");
  }
  DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(request.to).Prefixed("to"));
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
  DOCBUS_RETURN_IF_ERROR(CheckUtf8Fields(body, ""));

  std::string body_bytes = body.SerializeAsString();
  DOCBUS_ASSIGN_OR_RETURN(std::string signature, signer_.Sign(body_bytes));
  OutboxEntry entry;
  entry.header_sha256 = crypto::Sha256(body_bytes);
  v1::Frame frame;
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
