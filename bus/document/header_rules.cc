#include "bus/document/header_rules.h"

#include <set>
#include <string>

#include "bus/core/ids.h"
#include "bus/document/text_rules.h"

namespace docbus::document {
namespace {

std::string Index(std::string_view field, size_t i) {
  return std::string(field) + "[" + std::to_string(i) + "]";
}

std::string Path(std::string_view a, std::string_view b) {
  std::string out(a);
  out += '.';
  out += b;
  return out;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status Line(std::string_view field, std::string_view text,
            const HeaderLimits& l) {
  return CheckText(field, text, l.max_text_bytes, false);
}

// Descriptive fields of an organisation; its organ_id is checked apart.
Status CheckOrganText(std::string_view field, const v1::Organ& o,
                      const HeaderLimits& l) {
  DOCBUS_RETURN_IF_ERROR(Line(Path(field, "organization_in_charge"),
                              o.organization_in_charge(), l));
  DOCBUS_RETURN_IF_ERROR(Line(Path(field, "organ_name"), o.organ_name(), l));
  DOCBUS_RETURN_IF_ERROR(
      Line(Path(field, "organ_address"), o.organ_address(), l));
  DOCBUS_RETURN_IF_ERROR(Line(Path(field, "email"), o.email(), l));
  DOCBUS_RETURN_IF_ERROR(Line(Path(field, "telephone"), o.telephone(), l));
  DOCBUS_RETURN_IF_ERROR(Line(Path(field, "fax"), o.fax(), l));
  return Line(Path(field, "website"), o.website(), l);
}

Status CheckRecipients(const v1::DocumentHeader& h, const HeaderLimits& l) {
  if (h.to_size() == 0) {
    return InvalidField("to", "is required (at least one recipient)");
  }
  if (static_cast<size_t>(h.to_size()) > l.max_recipients) {
    return InvalidField(
        "to", "more than " + std::to_string(l.max_recipients) + " recipients");
  }
  std::set<std::string_view> seen;
  for (int i = 0; i < h.to_size(); ++i) {
    const std::string field = Index("to", static_cast<size_t>(i));
    const std::string& id = h.to(i).organ_id();
    DOCBUS_RETURN_IF_ERROR(
        ValidateAgencyId(id).Prefixed(Path(field, "organ_id")));
    if (!seen.insert(id).second) {
      return InvalidField(Path(field, "organ_id"), "duplicate recipient " + id);
    }
    DOCBUS_RETURN_IF_ERROR(CheckOrganText(field, h.to(i), l));
  }
  return Status::Ok();
}

// An imported header's quoted ids: text as given (see header_rules.h).
bool Imported(const v1::DocumentHeader& h) { return h.edxml_envelope() != 0; }

Status CheckDocumentIdOf(std::string_view field, std::string_view id,
                         bool imported) {
  if (!imported) return ValidateDocumentId(id).Prefixed(field);
  if (id.empty()) return InvalidField(field, "must not be empty");
  return CheckText(field, id, kMaxImportedDocumentIdBytes, false);
}

Status CheckCode(const v1::Code& code, bool imported) {
  const std::string& number = code.code_number();
  const std::string& notation = code.code_notation();
  if (number.empty()) return InvalidField("code.code_number", "is required");
  if (imported) {
    DOCBUS_RETURN_IF_ERROR(CheckText("code.code_number", number,
                                     kMaxImportedCodeNumberBytes, false));
    if (notation.empty()) {
      return InvalidField("code.code_notation", "is required");
    }
    return CheckText("code.code_notation", notation, kMaxCodeNotationBytes,
                     false);
  }
  if (number.size() > kMaxCodeNumberBytes || !AllDigits(number)) {
    return InvalidField(
        "code.code_number",
        "must be digits (số), at most " + std::to_string(kMaxCodeNumberBytes));
  }
  if (notation.empty()) {
    return InvalidField("code.code_notation", "is required");
  }
  DOCBUS_RETURN_IF_ERROR(
      CheckText("code.code_notation", notation, kMaxCodeNotationBytes, false));
  if (notation.find(',') != std::string::npos) {
    return InvalidField("code.code_notation", "must not contain a comma");
  }
  return Status::Ok();
}

Status CheckDate(std::string_view field, std::string_view date) {
  if (date.empty()) return Status::Ok();
  return ValidateEdxmlDate(date).Prefixed(field);
}

Status CheckBusiness(const v1::DocumentHeader& h, const HeaderLimits& l) {
  if (!v1::BusinessType_IsValid(h.business_type())) {
    return InvalidField("business_type", "must be 0 to 3");
  }
  const std::string& target = h.business_target_document_id();
  if (!target.empty()) {
    DOCBUS_RETURN_IF_ERROR(CheckDocumentIdOf("business_target_document_id",
                                             target, Imported(h)));
  } else if (h.business_type() != v1::BUSINESS_NEW) {
    return InvalidField("business_target_document_id",
                        "is required to revoke, update or replace a document");
  }
  return CheckText("business_reason", h.business_reason(), l.max_reason_bytes,
                   true);
}

Status CheckResponseFor(const v1::DocumentHeader& h, const HeaderLimits& l) {
  if (static_cast<size_t>(h.response_for_size()) > l.max_list_items) {
    return InvalidField(
        "response_for",
        "more than " + std::to_string(l.max_list_items) + " entries");
  }
  for (int i = 0; i < h.response_for_size(); ++i) {
    const v1::ResponseFor& r = h.response_for(i);
    const std::string field = Index("response_for", static_cast<size_t>(i));
    if (Imported(h)) {
      DOCBUS_RETURN_IF_ERROR(CheckText(Path(field, "organ_id"), r.organ_id(),
                                       kMaxImportedOrganIdBytes, false));
    } else if (!r.organ_id().empty()) {
      DOCBUS_RETURN_IF_ERROR(
          ValidateAgencyId(r.organ_id()).Prefixed(Path(field, "organ_id")));
    }
    DOCBUS_RETURN_IF_ERROR(
        CheckText(Path(field, "code"), r.code(), kMaxResponseCodeBytes, false));
    if (!r.promulgation_date().empty()) {
      DOCBUS_RETURN_IF_ERROR(ValidateQuotedDate(r.promulgation_date())
                                 .Prefixed(Path(field, "promulgation_date")));
    }
    if (!r.document_id().empty()) {
      DOCBUS_RETURN_IF_ERROR(CheckDocumentIdOf(Path(field, "document_id"),
                                               r.document_id(), Imported(h)));
    }
  }
  return Status::Ok();
}

Status CheckToPlaces(const v1::DocumentHeader& h, const HeaderLimits& l) {
  if (static_cast<size_t>(h.to_places_size()) > l.max_list_items) {
    return InvalidField(
        "to_places",
        "more than " + std::to_string(l.max_list_items) + " places");
  }
  for (int i = 0; i < h.to_places_size(); ++i) {
    DOCBUS_RETURN_IF_ERROR(
        Line(Index("to_places", static_cast<size_t>(i)), h.to_places(i), l));
  }
  return Status::Ok();
}

Status CheckDescriptive(const v1::DocumentHeader& h, const HeaderLimits& l) {
  const v1::PromulgationInfo& p = h.promulgation_info();
  DOCBUS_RETURN_IF_ERROR(Line("promulgation_info.place", p.place(), l));
  DOCBUS_RETURN_IF_ERROR(
      CheckDate("promulgation_info.promulgation_date", p.promulgation_date()));
  const v1::DocumentType& t = h.document_type();
  if (t.type() < 0 || t.type() > kMaxDocumentType) {
    return InvalidField("document_type.type", "must be 0 to 1000");
  }
  if (t.type_detail() < 0 || t.type_detail() > kMaxDocumentType) {
    return InvalidField("document_type.type_detail", "must be 0 to 1000");
  }
  DOCBUS_RETURN_IF_ERROR(Line("document_type.type_name", t.type_name(), l));
  const v1::SignerInfo& s = h.signer_info();
  DOCBUS_RETURN_IF_ERROR(Line("signer_info.competence", s.competence(), l));
  DOCBUS_RETURN_IF_ERROR(Line("signer_info.position", s.position(), l));
  DOCBUS_RETURN_IF_ERROR(Line("signer_info.full_name", s.full_name(), l));
  DOCBUS_RETURN_IF_ERROR(CheckOrganText("from", h.from(), l));
  const v1::StaffInfo& staff = h.staff_info();
  DOCBUS_RETURN_IF_ERROR(Line("staff_info.department", staff.department(), l));
  DOCBUS_RETURN_IF_ERROR(Line("staff_info.staff", staff.staff(), l));
  DOCBUS_RETURN_IF_ERROR(Line("staff_info.email", staff.email(), l));
  return Line("staff_info.mobile", staff.mobile(), l);
}

Status CheckAttachmentManifest(const v1::DocumentHeader& h,
                               const HeaderLimits& l) {
  if (static_cast<size_t>(h.attachments_size()) > l.max_attachments) {
    return Status(Code::kTooLarge, "attachments: more than " +
                                       std::to_string(l.max_attachments));
  }
  std::set<std::string_view> names;
  for (int i = 0; i < h.attachments_size(); ++i) {
    const v1::AttachmentManifest& a = h.attachments(i);
    const std::string field = Index("attachments", static_cast<size_t>(i));
    DOCBUS_RETURN_IF_ERROR(CheckAttachmentName(Path(field, "name"), a.name()));
    if (!names.insert(a.name()).second) {
      return InvalidField(Path(field, "name"), "duplicate attachment name");
    }
    DOCBUS_RETURN_IF_ERROR(
        CheckMediaType(Path(field, "media_type"), a.media_type()));
    if (a.sha256().size() != 32) {
      return InvalidField(Path(field, "sha256"), "must be 32 bytes");
    }
  }
  if (h.edxml_envelope() > static_cast<uint32_t>(h.attachments_size())) {
    return InvalidField("edxml_envelope", "names no attachment");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateQuotedDate(std::string_view date) {
  if (date.size() == 10 && date[4] == '-' && date[7] == '-') {
    std::string slashed(date);
    slashed[4] = slashed[7] = '/';
    return ValidateEdxmlDate(slashed);
  }
  return ValidateEdxmlDate(date);
}

Status CheckDocumentRequest(const v1::DocumentHeader& h,
                            const HeaderLimits& l) {
  DOCBUS_RETURN_IF_ERROR(CheckRecipients(h, l));
  if (h.subject().empty()) return InvalidField("subject", "is required");
  // A trích yếu copied from the signed paper often keeps its line breaks.
  DOCBUS_RETURN_IF_ERROR(
      CheckText("subject", h.subject(), l.max_subject_bytes, true));
  DOCBUS_RETURN_IF_ERROR(
      CheckText("content", h.content(), l.max_content_bytes, true));
  DOCBUS_RETURN_IF_ERROR(CheckCode(h.code(), Imported(h)));
  DOCBUS_RETURN_IF_ERROR(CheckDescriptive(h, l));
  DOCBUS_RETURN_IF_ERROR(CheckDate("due_date", h.due_date()));
  if (!v1::Priority_IsValid(h.priority())) {
    return InvalidField("priority", "must be 0 to 4");
  }
  if (h.steering_type() < 0 || h.steering_type() > 2) {
    return InvalidField("steering_type", "must be 0, 1 or 2");
  }
  DOCBUS_RETURN_IF_ERROR(CheckBusiness(h, l));
  DOCBUS_RETURN_IF_ERROR(CheckResponseFor(h, l));
  DOCBUS_RETURN_IF_ERROR(CheckToPlaces(h, l));
  if (!h.document_id().empty()) {
    DOCBUS_RETURN_IF_ERROR(
        CheckDocumentIdOf("document_id", h.document_id(), Imported(h)));
  }
  if (h.expires_unix_ms() < 0) {
    return InvalidField("expires_unix_ms", "must not be negative");
  }
  return CheckUtf8Fields(h, "");
}

Status CheckDocumentHeader(const v1::DocumentHeader& h, const HeaderLimits& l) {
  DOCBUS_RETURN_IF_ERROR(
      ValidateMessageId(h.message_id()).Prefixed("message_id"));
  const std::string& sender = h.from().organ_id();
  DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(sender).Prefixed("from.organ_id"));
  DOCBUS_RETURN_IF_ERROR(CheckDocumentRequest(h, l));
  for (int i = 0; i < h.to_size(); ++i) {
    if (h.to(i).organ_id() == sender) {
      return InvalidField(
          Path(Index("to", static_cast<size_t>(i)), "organ_id"),
          "the document is addressed to its own sender " + sender);
    }
  }
  if (h.document_id().empty()) {
    return InvalidField("document_id", "is required");
  }
  if (h.created_unix_ms() < 0) {
    return InvalidField("created_unix_ms", "must not be negative");
  }
  return CheckAttachmentManifest(h, l);
}

}  // namespace docbus::document
