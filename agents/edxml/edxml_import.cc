#include "agents/edxml/edxml_import.h"

#include <charconv>
#include <set>

#include "bus/core/ids.h"
#include "bus/crypto/sha256.h"

namespace docbus::agent {
namespace {

// The envelope reader already checked these are whole numbers.
int Int(std::string_view text) {
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

void CopyOrgan(const edxml::Organ& from, v1::Organ* to) {
  to->set_organization_in_charge(from.organization_in_charge);
  to->set_organ_name(from.organ_name);
  to->set_organ_address(from.organ_add);
  to->set_email(from.email);
  to->set_telephone(from.telephone);
  to->set_fax(from.fax);
  to->set_website(from.website);
}

// Records `field` as mapped when it carried something.
struct Report {
  EdxmlImported* out;
  void Mapped(std::string_view field, bool present) {
    if (present) out->mapped.emplace_back(field);
  }
  void Unmapped(std::string_view field, bool present) {
    if (present) out->unmapped.emplace_back(field);
  }
};

// The From must be this agency: the agent signs as it, and as nobody else.
Status CheckSender(std::string_view path, std::string_view organ_id,
                   AgentService& service) {
  Result<AgencyName> agency = service.ResolveAgency(organ_id);
  if (!agency.ok() || agency->id != service.agency_id()) {
    return Status(Code::kNotPermitted,
                  std::string(path) + ": " + std::string(organ_id) +
                      " is not this agency (" + service.agency_id() +
                      ") nor one of its alias ids");
  }
  return Status::Ok();
}

Status MapRecipients(const edxml::MessageHeader& m, AgentService& service,
                     v1::DocumentHeader& h) {
  for (size_t i = 0; i < m.to.size(); ++i) {
    Result<AgencyName> agency = service.ResolveAgency(m.to[i].organ_id);
    if (!agency.ok()) {
      return Status(Code::kUnknownRecipient,
                    "N.MessageHeader.To[" + std::to_string(i + 1) +
                        "].OrganId: " + m.to[i].organ_id +
                        " is not a registered agency id or alias id");
    }
    v1::Organ* to = h.add_to();
    to->set_organ_id(agency->id);
    CopyOrgan(m.to[i], to);
  }
  return Status::Ok();
}

void MapMessageHeader(const edxml::MessageHeader& m, v1::DocumentHeader& h,
                      Report& r) {
  CopyOrgan(m.from, h.mutable_from());
  r.Mapped("MessageHeader.From", true);
  r.Mapped("MessageHeader.To", !m.to.empty());
  h.mutable_code()->set_code_number(m.code.code_number);
  h.mutable_code()->set_code_notation(m.code.code_notation);
  r.Mapped("MessageHeader.Code", true);
  h.mutable_promulgation_info()->set_place(m.promulgation_info.place);
  h.mutable_promulgation_info()->set_promulgation_date(
      m.promulgation_info.promulgation_date);
  r.Mapped("MessageHeader.PromulgationInfo", true);
  const edxml::DocumentType& t = m.document_type;
  h.mutable_document_type()->set_type(Int(t.type));
  h.mutable_document_type()->set_type_detail(Int(t.type_detail));
  h.mutable_document_type()->set_type_name(t.type_name);
  r.Mapped("MessageHeader.DocumentType",
           !t.type.empty() || !t.type_detail.empty() || !t.type_name.empty());
  h.set_subject(m.subject);
  r.Mapped("MessageHeader.Subject", true);
  h.set_content(m.content);
  r.Mapped("MessageHeader.Content", !m.content.empty());
  h.mutable_signer_info()->set_competence(m.signer_info.competence);
  h.mutable_signer_info()->set_position(m.signer_info.position);
  h.mutable_signer_info()->set_full_name(m.signer_info.full_name);
  r.Mapped("MessageHeader.SignerInfo",
           !(m.signer_info == edxml::SignerInfo{}));
  h.set_due_date(m.due_date);
  r.Mapped("MessageHeader.DueDate", !m.due_date.empty());
  for (const std::string& place : m.to_places) h.add_to_places(place);
  r.Mapped("MessageHeader.ToPlaces", !m.to_places.empty());
  h.set_priority(static_cast<v1::Priority>(Int(m.other_info.priority)));
  r.Mapped("MessageHeader.OtherInfo.Priority", !m.other_info.priority.empty());
  const edxml::OtherInfo& o = m.other_info;
  r.Unmapped("MessageHeader.OtherInfo.SphereOfPromulgation",
             !o.sphere_of_promulgation.empty());
  r.Unmapped("MessageHeader.OtherInfo.TyperNotation",
             !o.typer_notation.empty());
  r.Unmapped("MessageHeader.OtherInfo.PromulgationAmount",
             !o.promulgation_amount.empty());
  r.Unmapped("MessageHeader.OtherInfo.PageAmount", !o.page_amount.empty());
  r.Unmapped("MessageHeader.OtherInfo.Direction", !o.direction.empty());
  r.Unmapped("MessageHeader.OtherInfo.Appendixes", !o.appendixes.empty());
  for (const edxml::ResponseFor& rf : m.response_for) {
    v1::ResponseFor* out = h.add_response_for();
    out->set_organ_id(rf.organ_id);
    out->set_code(rf.code);
    out->set_promulgation_date(rf.promulgation_date);
    out->set_document_id(rf.document_id);
  }
  r.Mapped("MessageHeader.ResponseFor", !m.response_for.empty());
  h.set_steering_type(Int(m.steering_type));
  r.Mapped("MessageHeader.SteeringType", !m.steering_type.empty());
  h.set_document_id(m.document_id);
  r.Mapped("MessageHeader.DocumentId", !m.document_id.empty());
}

void MapBusiness(const edxml::Envelope& env, v1::DocumentHeader& h,
                 Report& r) {
  const edxml::Business& b = env.business;
  h.set_business_type(static_cast<v1::BusinessType>(b.doc_type));
  r.Mapped("TraceHeaderList.Bussiness.BussinessDocType", true);
  h.set_business_reason(b.doc_reason);
  r.Mapped("TraceHeaderList.Bussiness.BussinessDocReason",
           !b.doc_reason.empty());
  // The earlier document acted on: Bussiness.DocumentId, else for a
  // replacement the first one it replaces, else for a revocation the
  // document's own DocumentId (a revocation names the document it takes
  // back).
  std::string target = b.document_id;
  r.Mapped("TraceHeaderList.Bussiness.DocumentId", !target.empty());
  if (target.empty() && b.doc_type == edxml::BusinessType::kReplace &&
      !b.replacements.empty()) {
    target = b.replacements.front().document_id;
    r.Mapped("TraceHeaderList.Bussiness.ReplacementInfoList", true);
  } else {
    r.Unmapped("TraceHeaderList.Bussiness.ReplacementInfoList",
               !b.replacements.empty());
  }
  if (target.empty() && b.doc_type == edxml::BusinessType::kRevoke) {
    target = env.header.document_id;
  }
  if (b.doc_type != edxml::BusinessType::kNew) {
    h.set_business_target_document_id(target);
  }
  if (!b.staff.empty()) {
    const edxml::StaffInfo& s = b.staff.front();
    h.mutable_staff_info()->set_department(s.department);
    h.mutable_staff_info()->set_staff(s.staff);
    h.mutable_staff_info()->set_email(s.email);
    h.mutable_staff_info()->set_mobile(s.mobile);
  }
  r.Mapped("TraceHeaderList.Bussiness.StaffInfo", !b.staff.empty());
  r.Unmapped("TraceHeaderList.Bussiness.StaffInfo[2..]", b.staff.size() > 1);
  r.Unmapped("TraceHeaderList.Bussiness.Paper", !b.paper.empty());
  r.Unmapped("TraceHeaderList.Bussiness.BussinessDocumentInfo",
             b.has_document_info);
  r.Unmapped("TraceHeaderList.TraceHeader", !env.traces.empty());
  r.Unmapped("Signature",
             env.signature.state != edxml::Signature::State::kAbsent);
  r.Unmapped("edXMLBody.edXMLManifest", !env.manifest.empty());
}

// "envelope.edxml", or the first "envelope-<n>.edxml" no attachment uses.
std::string EnvelopeName(const std::vector<AttachmentInput>& attachments) {
  std::set<std::string_view> used;
  for (const AttachmentInput& a : attachments) used.insert(a.name);
  std::string name = kEnvelopeAttachmentName;
  for (int n = 2; used.count(name) != 0; ++n) {
    name = "envelope-" + std::to_string(n) + ".edxml";
  }
  return name;
}

}  // namespace

Result<DocumentRequest> RequestFromEnvelope(const edxml::Envelope& env,
                                            std::string_view bytes,
                                            AgentService& service,
                                            EdxmlImported* report) {
  Report r{report};
  DOCBUS_RETURN_IF_ERROR(CheckSender("R.MessageHeader.From.OrganId",
                                     env.header.from.organ_id, service));
  DocumentRequest request;
  v1::DocumentHeader& h = request.header;
  DOCBUS_RETURN_IF_ERROR(MapRecipients(env.header, service, h));
  MapMessageHeader(env.header, h, r);
  MapBusiness(env, h, r);
  bool described = false;
  for (const edxml::Attachment& a : env.attachments) {
    request.attachments.push_back(
        AttachmentInput{a.attachment_name, a.content_type, a.data});
    described = described || !a.description.empty();
  }
  r.Unmapped("AttachmentEncoded.Attachment.Description", described);
  r.Mapped("AttachmentEncoded.Attachment", !env.attachments.empty());
  for (const std::string& field : env.unmapped) report->unmapped.push_back(field);
  request.attachments.push_back(AttachmentInput{
      EnvelopeName(request.attachments), kEnvelopeMediaType, std::string(bytes)});
  h.set_edxml_envelope(static_cast<uint32_t>(request.attachments.size()));
  request.idempotency_key = "edxml-sha256:" + Hex(crypto::Sha256(bytes));
  return request;
}

Result<StatusImport> StatusFromPacket(const edxml::StatusPacket& packet,
                                      AgentService& service,
                                      EdxmlImported* report) {
  Report r{report};
  DOCBUS_RETURN_IF_ERROR(
      CheckSender("R.Status.From.OrganId", packet.from.organ_id, service));
  const std::optional<edxml::StatusCodeInfo> info =
      edxml::FindStatusCode(packet.status_code);
  if (!info.has_value()) {  // ParseStatus refuses these already
    return Status(Code::kInvalidField,
                  "R.Status.StatusCode: not a code docbus carries");
  }
  StatusImport out;
  out.code = static_cast<v1::StatusCode>(info->code);
  out.description = packet.description;
  const edxml::ResponseFor& rf = packet.response_for;
  Result<AgencyName> sender = service.ResolveAgency(rf.organ_id);
  if (!sender.ok()) {
    return Status(Code::kUnknownDocument,
                  "R.Status.ResponseFor.OrganId: " + rf.organ_id +
                      " is not a registered agency id or alias id");
  }
  Result<std::string> document =
      info->from_sender ? service.FindSent(rf.document_id)
                        : service.FindIncoming(sender->id, rf.document_id);
  if (info->from_sender && sender->id != service.agency_id()) {
    document = Status(Code::kNotFound, "not sent by this agency");
  }
  if (!document.ok()) {
    if (document.status().code() != Code::kNotFound) return document.status();
    return Status(Code::kUnknownDocument,
                  std::string("R.Status.ResponseFor.DocumentId: ") +
                      (info->from_sender
                           ? "this agency sent no document with it"
                           : "no document received from " + sender->id +
                                 " with it"));
  }
  out.message_id = *document;
  if (info->from_sender) {
    DOCBUS_ASSIGN_OR_RETURN(OutgoingView sent, service.Outgoing(*document));
    out.to = sent.recipients;
  }
  r.Mapped("Status.ResponseFor", true);
  r.Mapped("Status.From", true);
  r.Mapped("Status.StatusCode", true);
  r.Mapped("Status.Description", !packet.description.empty());
  r.Unmapped("Status.Timestamp", !packet.timestamp.empty());
  r.Unmapped("Status.StaffInfo", !(packet.staff == edxml::StaffInfo{}));
  for (const std::string& field : packet.unmapped) {
    report->unmapped.push_back(field);
  }
  return out;
}

}  // namespace docbus::agent
