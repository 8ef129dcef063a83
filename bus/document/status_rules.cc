#include "bus/document/status_rules.h"

#include <string>

#include "bus/core/ids.h"
#include "bus/document/header_rules.h"
#include "bus/document/text_rules.h"

namespace docbus::document {

Status CheckStatusReport(v1::StatusCode code, std::string_view description,
                         size_t max_description_bytes) {
  switch (code) {
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
      if (description.empty()) {
        return InvalidField("description",
                            "is required when refusing (status 02)");
      }
      break;
    default:
      return InvalidField("code",
                          "must be an edXML status code: 1-6, 13, 15 "
                          "or 16");
  }
  return CheckText("description", description, max_description_bytes, true);
}

Status CheckStatusBody(const v1::StatusBody& b, size_t max_description_bytes) {
  DOCBUS_RETURN_IF_ERROR(
      ValidateMessageId(b.status_id()).Prefixed("status_id"));
  DOCBUS_RETURN_IF_ERROR(
      ValidateMessageId(b.message_id()).Prefixed("message_id"));
  DOCBUS_RETURN_IF_ERROR(
      ValidateAgencyId(b.from().organ_id()).Prefixed("from.organ_id"));
  DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(b.to()).Prefixed("to"));
  if (b.from().organ_id() == b.to()) {
    return InvalidField("to", "a status addressed to its own sender");
  }
  DOCBUS_RETURN_IF_ERROR(
      CheckStatusReport(b.code(), b.description(), max_description_bytes));
  const v1::ResponseFor& r = b.response_for();
  if (!r.organ_id().empty()) {
    DOCBUS_RETURN_IF_ERROR(
        ValidateAgencyId(r.organ_id()).Prefixed("response_for.organ_id"));
  }
  DOCBUS_RETURN_IF_ERROR(
      CheckText("response_for.code", r.code(), kMaxResponseCodeBytes, false));
  if (!r.promulgation_date().empty()) {
    DOCBUS_RETURN_IF_ERROR(ValidateQuotedDate(r.promulgation_date())
                               .Prefixed("response_for.promulgation_date"));
  }
  if (!r.document_id().empty()) {
    DOCBUS_RETURN_IF_ERROR(ValidateDocumentId(r.document_id())
                               .Prefixed("response_for.document_id"));
  }
  if (b.created_unix_ms() < 0) {
    return InvalidField("created_unix_ms", "must not be negative");
  }
  return CheckUtf8Fields(b, "");
}

}  // namespace docbus::document
