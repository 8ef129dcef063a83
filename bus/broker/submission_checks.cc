#include "bus/broker/submission_checks.h"

#include <set>
#include <string>

#include "bus/core/ids.h"

namespace docbus::broker {
namespace {

Status Invalid(std::string message) {
  return Status(Code::kInvalidField, std::move(message));
}

}  // namespace

Status CheckDocumentHeader(const v1::DocumentHeader& h,
                           int64_t max_subject_bytes) {
  DOCBUS_RETURN_IF_ERROR(
      ValidateMessageId(h.message_id()).Prefixed("message_id"));
  DOCBUS_RETURN_IF_ERROR(
      ValidateAgencyId(h.from().organ_id()).Prefixed("from.organ_id"));
  if (h.to_size() == 0)
    return Invalid("to: at least one recipient is required");
  std::set<std::string_view> seen;
  for (int i = 0; i < h.to_size(); ++i) {
    const std::string& id = h.to(i).organ_id();
    DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(id).Prefixed(
        "to[" + std::to_string(i) + "].organ_id"));
    if (!seen.insert(id).second) {
      return Invalid("to[" + std::to_string(i) + "].organ_id: " + id +
                     " is listed twice");
    }
  }
  DOCBUS_RETURN_IF_ERROR(
      ValidateDocumentId(h.document_id()).Prefixed("document_id"));
  if (!h.promulgation_info().promulgation_date().empty()) {
    DOCBUS_RETURN_IF_ERROR(
        ValidateEdxmlDate(h.promulgation_info().promulgation_date())
            .Prefixed("promulgation_info.promulgation_date"));
  }
  if (!h.due_date().empty()) {
    DOCBUS_RETURN_IF_ERROR(
        ValidateEdxmlDate(h.due_date()).Prefixed("due_date"));
  }
  for (int i = 0; i < h.response_for_size(); ++i) {
    const v1::ResponseFor& r = h.response_for(i);
    const std::string field = "response_for[" + std::to_string(i) + "]";
    if (!r.organ_id().empty()) {
      DOCBUS_RETURN_IF_ERROR(
          ValidateAgencyId(r.organ_id()).Prefixed(field + ".organ_id"));
    }
    if (!r.promulgation_date().empty()) {
      DOCBUS_RETURN_IF_ERROR(ValidateEdxmlDate(r.promulgation_date())
                                 .Prefixed(field + ".promulgation_date"));
    }
    if (!r.document_id().empty()) {
      DOCBUS_RETURN_IF_ERROR(
          ValidateDocumentId(r.document_id()).Prefixed(field + ".document_id"));
    }
  }
  if (h.priority() < v1::PRIORITY_NORMAL ||
      h.priority() > v1::PRIORITY_FLASH_SCHEDULED) {
    return Invalid("priority: must be 0-4, got " +
                   std::to_string(h.priority()));
  }
  if (!v1::BusinessType_IsValid(h.business_type())) {
    return Invalid("business_type: must be 0-3, got " +
                   std::to_string(h.business_type()));
  }
  if (h.business_type() != v1::BUSINESS_NEW) {
    DOCBUS_RETURN_IF_ERROR(ValidateDocumentId(h.business_target_document_id())
                               .Prefixed("business_target_document_id"));
  }
  if (h.steering_type() < 0 || h.steering_type() > 2) {
    return Invalid("steering_type: must be 0-2");
  }
  if (h.expires_unix_ms() < 0)
    return Invalid("expires_unix_ms: must not be negative");
  if (static_cast<int64_t>(h.subject().size()) > max_subject_bytes) {
    return Status(Code::kTooLarge,
                  "subject: " + std::to_string(h.subject().size()) +
                      " bytes, limit " + std::to_string(max_subject_bytes));
  }
  for (int i = 0; i < h.attachments_size(); ++i) {
    if (h.attachments(i).sha256().size() != 32) {
      return Invalid("attachments[" + std::to_string(i) +
                     "].sha256: must be 32 bytes");
    }
  }
  return Status::Ok();
}

Status CheckStatusBody(const v1::StatusBody& b) {
  DOCBUS_RETURN_IF_ERROR(
      ValidateMessageId(b.status_id()).Prefixed("status_id"));
  DOCBUS_RETURN_IF_ERROR(
      ValidateMessageId(b.message_id()).Prefixed("message_id"));
  DOCBUS_RETURN_IF_ERROR(
      ValidateAgencyId(b.from().organ_id()).Prefixed("from.organ_id"));
  DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(b.to()).Prefixed("to"));
  switch (b.code()) {
    case v1::STATUS_ARRIVED:
    case v1::STATUS_ACCEPTED:
    case v1::STATUS_ASSIGNED:
    case v1::STATUS_PROCESSING:
    case v1::STATUS_DONE:
    case v1::STATUS_REVOKE_REQUESTED:
    case v1::STATUS_REVOKE_AGREED:
    case v1::STATUS_REVOKE_REFUSED:
      break;
    case v1::STATUS_REFUSED:
      if (b.description().empty()) {
        return Invalid("description: required for status 02 (refused)");
      }
      break;
    default:
      return Invalid("code: " + std::to_string(b.code()) +
                     " is not an edXML status (01-06, 13, 15, 16)");
  }
  if (b.from().organ_id() == b.to()) return Invalid("to: a status to oneself");
  return Status::Ok();
}

}  // namespace docbus::broker
