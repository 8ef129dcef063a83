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

namespace {

// Position of 01-06 in the order 01 < {02 | 03} < 04 < 05 < 06; 0 for others.
int ProgressRank(int32_t code) {
  switch (code) {
    case v1::STATUS_ARRIVED:
      return 1;
    case v1::STATUS_REFUSED:
    case v1::STATUS_ACCEPTED:
      return 2;
    case v1::STATUS_ASSIGNED:
      return 3;
    case v1::STATUS_PROCESSING:
      return 4;
    case v1::STATUS_DONE:
      return 5;
    default:
      return 0;
  }
}

std::string TwoDigits(int32_t code) {
  return (code < 10 ? "0" : "") + std::to_string(code);
}

Status Invalid(std::string why) {
  return Status(Code::kInvalidTransition, std::move(why));
}

}  // namespace

std::string_view DocumentLifecycle::StateName() const {
  if (revoked) return "revoked";
  if (revoke_outstanding) return "revoke_requested";
  if (revoke_refused) return "revoke_refused";
  return "valid";
}

Status CheckTransition(const DocumentLifecycle& l, v1::StatusCode code) {
  const std::string c = TwoDigits(code);
  if (l.revoked) {
    return Invalid("status " + c +
                   " after the document was revoked (15) for this recipient");
  }
  switch (code) {
    case v1::STATUS_REVOKE_REQUESTED:
      if (l.revoke_outstanding) {
        return Invalid(
            "a revoke request (13) is already waiting for its answer");
      }
      return Status::Ok();
    case v1::STATUS_REVOKE_AGREED:
    case v1::STATUS_REVOKE_REFUSED:
      if (!l.revoke_outstanding) {
        return Invalid(
            "status " + c +
            " answers a revoke request (13), and none is outstanding");
      }
      return Status::Ok();
    default:
      break;
  }
  const int rank = ProgressRank(code);
  if (rank == 0) return Invalid("status " + c + " is not a docbus status code");
  if (l.last_code == v1::STATUS_REFUSED) {
    return Invalid("status " + c + " after the document was refused (02)");
  }
  if (rank <= ProgressRank(l.last_code)) {
    return Invalid("status " + c + " after " + TwoDigits(l.last_code) +
                   ": statuses go 01 < 02|03 < 04 < 05 < 06");
  }
  return Status::Ok();
}

void ApplyTransition(DocumentLifecycle& l, v1::StatusCode code) {
  switch (code) {
    case v1::STATUS_REVOKE_REQUESTED:
      l.revoke_outstanding = true;
      l.revoke_refused = false;
      return;
    case v1::STATUS_REVOKE_AGREED:
      l.revoke_outstanding = false;
      l.revoked = true;
      return;
    case v1::STATUS_REVOKE_REFUSED:
      l.revoke_outstanding = false;
      l.revoke_refused = true;
      return;
    default:
      l.last_code = code;
  }
}

std::string_view BusinessTypeName(v1::BusinessType type) {
  switch (type) {
    case v1::BUSINESS_REVOKE:
      return "revoke";
    case v1::BUSINESS_UPDATE:
      return "update";
    case v1::BUSINESS_REPLACE:
      return "replace";
    default:
      return "new";
  }
}

DocumentLifecycle LifecycleOf(int revoke_requests,
                              std::span<const int32_t> recipient_codes) {
  DocumentLifecycle l;
  for (int32_t code : recipient_codes) {
    const bool answer =
        code == v1::STATUS_REVOKE_AGREED || code == v1::STATUS_REVOKE_REFUSED;
    if (answer && revoke_requests > 0) {
      ApplyTransition(l, v1::STATUS_REVOKE_REQUESTED);
      --revoke_requests;
    }
    ApplyTransition(l, static_cast<v1::StatusCode>(code));
  }
  if (revoke_requests > 0) ApplyTransition(l, v1::STATUS_REVOKE_REQUESTED);
  return l;
}

}  // namespace docbus::document
