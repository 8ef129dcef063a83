// WriteEnvelope (edxml_envelope.h): every element with the explicit "edXML:"
// prefix, in the order of the official SDK sample, empty fields omitted.
#include "bus/edxml/edxml_envelope.h"
#include "bus/edxml/field_formats.h"
#include "bus/edxml/xml_out.h"

namespace docbus::edxml {
namespace {

void WriteMessageHeader(XmlOut& out, const MessageHeader& h) {
  out.Open("MessageHeader");
  WriteOrgan(out, "From", h.from);
  for (const Organ& to : h.to) WriteOrgan(out, "To", to);
  out.Open("Code");
  out.Leaf("CodeNumber", h.code.code_number);
  out.Leaf("CodeNotation", h.code.code_notation);
  out.Close("Code");
  out.Open("PromulgationInfo");
  out.Leaf("Place", h.promulgation_info.place);
  out.Leaf("PromulgationDate", h.promulgation_info.promulgation_date);
  out.Close("PromulgationInfo");
  if (h.document_type != DocumentType{}) {
    out.Open("DocumentType");
    out.Leaf("Type", h.document_type.type);
    out.Leaf("TypeDetail", h.document_type.type_detail);
    out.Leaf("TypeName", h.document_type.type_name);
    out.Close("DocumentType");
  }
  out.Leaf("Subject", h.subject);
  out.Leaf("Content", h.content);
  if (h.signer_info != SignerInfo{}) {
    out.Open("SignerInfo");
    out.Leaf("Competence", h.signer_info.competence);
    out.Leaf("Position", h.signer_info.position);
    out.Leaf("FullName", h.signer_info.full_name);
    out.Close("SignerInfo");
  }
  out.Leaf("DueDate", h.due_date);
  if (!h.to_places.empty()) {
    out.Open("ToPlaces");
    for (const std::string& place : h.to_places) {
      out.Open("Place");
      out.Text(place);
      out.Close("Place");
    }
    out.Close("ToPlaces");
  }
  const OtherInfo& o = h.other_info;
  if (o != OtherInfo{}) {
    out.Open("OtherInfo");
    out.Leaf("Priority", o.priority);
    out.Leaf("SphereOfPromulgation", o.sphere_of_promulgation);
    out.Leaf("TyperNotation", o.typer_notation);
    out.Leaf("PromulgationAmount", o.promulgation_amount);
    out.Leaf("PageAmount", o.page_amount);
    out.Leaf("Direction", o.direction);
    if (!o.appendixes.empty()) {
      out.Open("Appendixes");
      for (const std::string& appendix : o.appendixes) {
        out.Open("Appendix");
        out.Text(appendix);
        out.Close("Appendix");
      }
      out.Close("Appendixes");
    }
    out.Close("OtherInfo");
  }
  for (const ResponseFor& r : h.response_for) WriteResponseFor(out, r);
  out.Leaf("SteeringType", h.steering_type);
  out.Leaf("DocumentId", h.document_id);
  out.Close("MessageHeader");
}

void WriteBusiness(XmlOut& out, const Business& b) {
  out.Open("Bussiness");
  out.Leaf("BussinessDocType", std::to_string(static_cast<int>(b.doc_type)));
  out.Leaf("BussinessDocReason", b.doc_reason);
  out.Leaf("DocumentId", b.document_id);
  out.Leaf("Paper", b.paper);
  for (const StaffInfo& s : b.staff) WriteStaffInfo(out, s);
  if (b.has_document_info) {
    const BussinessDocumentInfo& d = b.document_info;
    out.Open("BussinessDocumentInfo");
    out.Leaf("DocumentInfo", d.document_info);
    out.Leaf("DocumentReceiver", d.document_receiver);
    if (!d.receivers.empty()) {
      out.Open("ReceiverList");
      for (const Receiver& r : d.receivers) {
        out.Open("Receiver");
        out.Leaf("OrganId", r.organ_id);
        out.Leaf("ReceiverType", r.receiver_type);
        out.Close("Receiver");
      }
      out.Close("ReceiverList");
    }
    out.Close("BussinessDocumentInfo");
  }
  if (!b.replacements.empty()) {
    out.Open("ReplacementInfoList");
    for (const ReplacementInfo& r : b.replacements) {
      out.Open("ReplacementInfo");
      out.Leaf("DocumentId", r.document_id);
      if (!r.organ_ids.empty()) {
        out.Open("OrganIdList");
        for (const std::string& organ : r.organ_ids) {
          out.Open("OrganId");
          out.Text(organ);
          out.Close("OrganId");
        }
        out.Close("OrganIdList");
      }
      out.Close("ReplacementInfo");
    }
    out.Close("ReplacementInfoList");
  }
  out.Close("Bussiness");
}

}  // namespace

// The namespace declaration the carried signature needs on the root: it may
// have relied on one of an ancestor it no longer has (the sample's unprefixed
// Signature is in the edXML default namespace of its root).
std::string SignatureNamespace(const Signature& s) {
  if (s.state == Signature::State::kAbsent || s.ns.empty()) return "";
  if (s.prefix == "edXML") return "";
  std::string decl =
      s.prefix.empty() ? " xmlns=\"" : " xmlns:" + s.prefix + "=\"";
  XmlOut(&decl).Text(s.ns);
  decl += '"';
  return decl;
}

std::string WriteEnvelope(const Envelope& env) {
  std::string doc;
  size_t attachment_bytes = 0;
  for (const Attachment& a : env.attachments) {
    attachment_bytes += (a.data.size() + 2) / 3 * 4 + 512;
  }
  doc.reserve(attachment_bytes + 8192 + env.signature.xml.size());
  XmlOut out(&doc);
  out.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  const std::string ns(kEdxmlNamespace);
  out.Raw("<edXML:edXML xmlns:edXML=\"" + ns + "\"" +
          SignatureNamespace(env.signature) + ">");
  out.Open("edXMLEnvelope");
  out.Open("edXMLHeader");
  WriteMessageHeader(out, env.header);
  out.Open("TraceHeaderList");
  for (const TraceHeader& t : env.traces) {
    out.Open("TraceHeader");
    out.Leaf("OrganId", t.organ_id);
    out.Leaf("Timestamp", t.timestamp);
    out.Close("TraceHeader");
  }
  WriteBusiness(out, env.business);
  out.Close("TraceHeaderList");
  if (env.signature.state != Signature::State::kAbsent) {
    out.Raw(env.signature.xml);
  }
  out.Close("edXMLHeader");
  out.Open("edXMLBody");
  if (!env.manifest.empty()) {
    out.Raw("<edXML:edXMLManifest version=\"1.0\">");
    for (const ManifestReference& r : env.manifest) {
      out.Open("Reference");
      out.Leaf("ContentId", r.content_id);
      out.Leaf("ContentType", r.content_type);
      out.Leaf("Description", r.description);
      out.Leaf("AttachmentName", r.attachment_name);
      out.Close("Reference");
    }
    out.Close("edXMLManifest");
  }
  out.Close("edXMLBody");
  out.Close("edXMLEnvelope");
  if (!env.attachments.empty()) {
    out.Open("AttachmentEncoded");
    for (const Attachment& a : env.attachments) {
      out.Open("Attachment");
      out.Leaf("ContentId", a.content_id);
      out.Leaf("AttachmentName", a.attachment_name);
      out.Leaf("Description", a.description);
      out.Leaf("ContentType", a.content_type);
      out.Base64Leaf("ContentTransferEncoded", a.data);
      out.Close("Attachment");
    }
    out.Close("AttachmentEncoded");
  }
  out.Close("edXML");
  doc.push_back('\n');
  return doc;
}

}  // namespace docbus::edxml
