// ParseEnvelope (edxml_envelope.h): the hardened XML reader, then the
// envelope's elements mapped field by field (FORMAT.md).
#include <set>

#include "bus/edxml/edxml_envelope.h"
#include "bus/edxml/element_fields.h"
#include "bus/edxml/field_formats.h"

namespace docbus::edxml {
namespace {

using Unmapped = std::vector<std::string>;

std::string Indexed(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// Every `name` child read by `read(element, "<path>.<name>[i]", unmapped)`.
template <typename T>
Result<std::vector<T>> ReadEach(ElementFields& f, std::string_view name,
                                Result<T> (*read)(const XmlElement&,
                                                  const std::string&,
                                                  Unmapped*),
                                Unmapped* unmapped) {
  std::vector<T> items;
  const std::vector<const XmlElement*> all = f.All(name);
  for (size_t i = 0; i < all.size(); ++i) {
    DOCBUS_ASSIGN_OR_RETURN(
        T item, read(*all[i], Indexed(f.PathOf(name), i), unmapped));
    items.push_back(std::move(item));
  }
  return items;
}

Result<std::vector<std::string>> Texts(ElementFields& f,
                                       std::string_view name) {
  std::vector<std::string> texts;
  for (const XmlElement* e : f.All(name)) {
    if (!e->children.empty()) {
      return Refused('M', f.PathOf(name), "has child elements, text expected");
    }
    texts.push_back(e->text);
  }
  return texts;
}

Status ReadMessageHeader(const XmlElement& e, const EnvelopeLimits& limits,
                         MessageHeader& h, Unmapped* unmapped) {
  ElementFields f(e, "MessageHeader", unmapped);
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* from, f.Required("From"));
  DOCBUS_ASSIGN_OR_RETURN(h.from, ReadOrgan(*from, f.PathOf("From"), unmapped));

  const std::vector<const XmlElement*> to = f.All("To");
  if (to.empty()) return Refused('N', f.PathOf("To"), "missing");
  if (to.size() > limits.max_recipients) {
    return Refused(
        'R', f.PathOf("To"),
        "more than " + std::to_string(limits.max_recipients) + " recipients");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < to.size(); ++i) {
    DOCBUS_ASSIGN_OR_RETURN(
        Organ organ, ReadOrgan(*to[i], Indexed(f.PathOf("To"), i), unmapped));
    if (!seen.insert(organ.organ_id).second) {
      return Refused('M', Indexed(f.PathOf("To"), i) + ".OrganId",
                     "the same recipient appears twice");
    }
    h.to.push_back(std::move(organ));
  }

  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* code, f.Required("Code"));
  {
    ElementFields c(*code, f.PathOf("Code"), unmapped);
    DOCBUS_ASSIGN_OR_RETURN(h.code.code_number, c.RequiredText("CodeNumber"));
    DOCBUS_ASSIGN_OR_RETURN(h.code.code_notation,
                            c.RequiredText("CodeNotation"));
    c.Finish();
  }
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* promulgation,
                          f.Required("PromulgationInfo"));
  {
    ElementFields p(*promulgation, f.PathOf("PromulgationInfo"), unmapped);
    DOCBUS_ASSIGN_OR_RETURN(h.promulgation_info.place, p.Text("Place"));
    DOCBUS_ASSIGN_OR_RETURN(h.promulgation_info.promulgation_date,
                            p.RequiredText("PromulgationDate"));
    DOCBUS_RETURN_IF_ERROR(CheckDate(p.PathOf("PromulgationDate"),
                                     h.promulgation_info.promulgation_date));
    p.Finish();
  }
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* type, f.Optional("DocumentType"));
  if (type != nullptr) {
    ElementFields t(*type, f.PathOf("DocumentType"), unmapped);
    DOCBUS_ASSIGN_OR_RETURN(h.document_type.type, t.Text("Type"));
    DOCBUS_RETURN_IF_ERROR(
        CheckInteger(t.PathOf("Type"), h.document_type.type));
    DOCBUS_ASSIGN_OR_RETURN(h.document_type.type_detail, t.Text("TypeDetail"));
    DOCBUS_RETURN_IF_ERROR(
        CheckInteger(t.PathOf("TypeDetail"), h.document_type.type_detail));
    DOCBUS_ASSIGN_OR_RETURN(h.document_type.type_name, t.Text("TypeName"));
    t.Finish();
  }
  DOCBUS_ASSIGN_OR_RETURN(h.subject, f.RequiredText("Subject"));
  DOCBUS_ASSIGN_OR_RETURN(h.content, f.Text("Content"));
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* signer, f.Optional("SignerInfo"));
  if (signer != nullptr) {
    ElementFields s(*signer, f.PathOf("SignerInfo"), unmapped);
    DOCBUS_ASSIGN_OR_RETURN(h.signer_info.competence, s.Text("Competence"));
    DOCBUS_ASSIGN_OR_RETURN(h.signer_info.position, s.Text("Position"));
    DOCBUS_ASSIGN_OR_RETURN(h.signer_info.full_name, s.Text("FullName"));
    s.Finish();
  }
  DOCBUS_ASSIGN_OR_RETURN(h.due_date, f.Text("DueDate"));
  DOCBUS_RETURN_IF_ERROR(CheckDate(f.PathOf("DueDate"), h.due_date));
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* places, f.Optional("ToPlaces"));
  if (places != nullptr) {
    ElementFields p(*places, f.PathOf("ToPlaces"), unmapped);
    DOCBUS_ASSIGN_OR_RETURN(h.to_places, Texts(p, "Place"));
    p.Finish();
  }
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* other, f.Optional("OtherInfo"));
  if (other != nullptr) {
    ElementFields o(*other, f.PathOf("OtherInfo"), unmapped);
    OtherInfo& i = h.other_info;
    DOCBUS_ASSIGN_OR_RETURN(i.priority, o.Text("Priority"));
    if (!i.priority.empty()) {
      const std::optional<int> p = SmallInt(i.priority);
      if (!p) return Refused('M', o.PathOf("Priority"), "must be 0-4");
      if (*p > 4) return Refused('R', o.PathOf("Priority"), "must be 0-4");
    }
    DOCBUS_ASSIGN_OR_RETURN(i.sphere_of_promulgation,
                            o.Text("SphereOfPromulgation"));
    DOCBUS_ASSIGN_OR_RETURN(i.typer_notation, o.Text("TyperNotation"));
    DOCBUS_ASSIGN_OR_RETURN(i.promulgation_amount,
                            o.Text("PromulgationAmount"));
    DOCBUS_RETURN_IF_ERROR(
        CheckInteger(o.PathOf("PromulgationAmount"), i.promulgation_amount));
    DOCBUS_ASSIGN_OR_RETURN(i.page_amount, o.Text("PageAmount"));
    DOCBUS_RETURN_IF_ERROR(CheckInteger(o.PathOf("PageAmount"), i.page_amount));
    DOCBUS_ASSIGN_OR_RETURN(i.direction, o.Text("Direction"));
    DOCBUS_ASSIGN_OR_RETURN(const XmlElement* appendixes,
                            o.Optional("Appendixes"));
    if (appendixes != nullptr) {
      ElementFields a(*appendixes, o.PathOf("Appendixes"), unmapped);
      DOCBUS_ASSIGN_OR_RETURN(i.appendixes, Texts(a, "Appendix"));
      a.Finish();
    }
    o.Finish();
  }
  DOCBUS_ASSIGN_OR_RETURN(
      h.response_for, ReadEach(f, "ResponseFor", &ReadResponseFor, unmapped));
  DOCBUS_ASSIGN_OR_RETURN(h.steering_type, f.Text("SteeringType"));
  DOCBUS_RETURN_IF_ERROR(
      CheckInteger(f.PathOf("SteeringType"), h.steering_type));
  DOCBUS_ASSIGN_OR_RETURN(h.document_id, f.Text("DocumentId"));
  f.Finish();
  return Status::Ok();
}

Status ReadBusiness(const XmlElement& e, const std::string& path, Business& b,
                    Unmapped* unmapped) {
  ElementFields f(e, path, unmapped);
  DOCBUS_ASSIGN_OR_RETURN(const std::string type,
                          f.RequiredText("BussinessDocType"));
  const std::optional<int> t = SmallInt(type);
  if (!t) return Refused('M', f.PathOf("BussinessDocType"), "must be 0-3");
  if (*t > 3) return Refused('R', f.PathOf("BussinessDocType"), "must be 0-3");
  b.doc_type = static_cast<BusinessType>(*t);
  DOCBUS_ASSIGN_OR_RETURN(b.doc_reason, f.Text("BussinessDocReason"));
  DOCBUS_ASSIGN_OR_RETURN(b.document_id, f.Text("DocumentId"));
  DOCBUS_ASSIGN_OR_RETURN(b.paper, f.Text("Paper"));
  DOCBUS_ASSIGN_OR_RETURN(b.staff,
                          ReadEach(f, "StaffInfo", &ReadStaffInfo, unmapped));
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* info,
                          f.Optional("BussinessDocumentInfo"));
  if (info != nullptr) {
    b.has_document_info = true;
    ElementFields d(*info, f.PathOf("BussinessDocumentInfo"), unmapped);
    DOCBUS_ASSIGN_OR_RETURN(b.document_info.document_info,
                            d.Text("DocumentInfo"));
    DOCBUS_ASSIGN_OR_RETURN(b.document_info.document_receiver,
                            d.Text("DocumentReceiver"));
    DOCBUS_ASSIGN_OR_RETURN(const XmlElement* list, d.Optional("ReceiverList"));
    if (list != nullptr) {
      ElementFields l(*list, d.PathOf("ReceiverList"), unmapped);
      for (const XmlElement* r : l.All("Receiver")) {
        ElementFields rf(*r, l.PathOf("Receiver"), unmapped);
        Receiver receiver;
        DOCBUS_ASSIGN_OR_RETURN(receiver.organ_id, rf.Text("OrganId"));
        DOCBUS_ASSIGN_OR_RETURN(receiver.receiver_type,
                                rf.Text("ReceiverType"));
        rf.Finish();
        b.document_info.receivers.push_back(std::move(receiver));
      }
      l.Finish();
    }
    d.Finish();
  }
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* replacements,
                          f.Optional("ReplacementInfoList"));
  if (replacements != nullptr) {
    ElementFields l(*replacements, f.PathOf("ReplacementInfoList"), unmapped);
    for (const XmlElement* r : l.All("ReplacementInfo")) {
      ElementFields rf(*r, l.PathOf("ReplacementInfo"), unmapped);
      ReplacementInfo info;
      DOCBUS_ASSIGN_OR_RETURN(info.document_id, rf.RequiredText("DocumentId"));
      DOCBUS_ASSIGN_OR_RETURN(const XmlElement* organs,
                              rf.Optional("OrganIdList"));
      if (organs != nullptr) {
        ElementFields o(*organs, rf.PathOf("OrganIdList"), unmapped);
        DOCBUS_ASSIGN_OR_RETURN(info.organ_ids, Texts(o, "OrganId"));
        o.Finish();
      }
      rf.Finish();
      b.replacements.push_back(std::move(info));
    }
    l.Finish();
  }
  f.Finish();
  // An update names the document it updates; a replacement, what it
  // replaces: without it the recipient cannot tell which one changed.
  if (b.doc_type == BusinessType::kUpdate && b.document_id.empty()) {
    return Refused('N', f.PathOf("DocumentId"),
                   "an update (BussinessDocType 2) names the document it "
                   "updates");
  }
  if (b.doc_type == BusinessType::kReplace && b.replacements.empty()) {
    return Refused('N', f.PathOf("ReplacementInfoList"),
                   "a replacement (BussinessDocType 3) names the document it "
                   "replaces");
  }
  return Status::Ok();
}

Status ReadTraceHeaderList(const XmlElement& e, Envelope& env,
                           Unmapped* unmapped) {
  ElementFields f(e, "TraceHeaderList", unmapped);
  const std::vector<const XmlElement*> traces = f.All("TraceHeader");
  for (size_t i = 0; i < traces.size(); ++i) {
    ElementFields t(*traces[i], Indexed(f.PathOf("TraceHeader"), i), unmapped);
    TraceHeader trace;
    DOCBUS_ASSIGN_OR_RETURN(trace.organ_id, t.RequiredText("OrganId"));
    DOCBUS_ASSIGN_OR_RETURN(trace.timestamp, t.RequiredText("Timestamp"));
    DOCBUS_RETURN_IF_ERROR(
        CheckTimestamp(t.PathOf("Timestamp"), trace.timestamp));
    t.Finish();
    env.traces.push_back(std::move(trace));
  }
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* business, f.Required("Bussiness"));
  DOCBUS_RETURN_IF_ERROR(
      ReadBusiness(*business, f.PathOf("Bussiness"), env.business, unmapped));
  f.Finish();
  return Status::Ok();
}

// The signature is carried as its bytes, so they must stand on their own
// where the writer puts them: only the namespace of the Signature element
// itself is declared again (XML-DSig declares its namespace on Signature).
Result<Signature> ReadSignature(const XmlElement* e, const XmlLimits& limits) {
  Signature s;
  if (e == nullptr) return s;
  const bool blank = e->children.empty() &&
                     e->text.find_first_not_of(" \t\r\n") == std::string::npos;
  s.state = blank ? Signature::State::kEmpty : Signature::State::kFilled;
  s.xml = e->raw;
  s.prefix = e->prefix;
  s.ns = e->ns;
  if (s.prefix == "edXML" && s.ns != kEdxmlNamespace) {
    return Refused('M', e->name, "binds the edXML prefix to another namespace");
  }
  const std::string alone =
      "<edXML:carrier xmlns:edXML=\"" + std::string(kEdxmlNamespace) + "\"" +
      SignatureNamespace(s) + ">" + s.xml + "</edXML:carrier>";
  if (!ParseXml(alone, limits, {}).ok()) {
    return Refused('M', e->name, "uses a namespace prefix declared outside it");
  }
  return s;
}

Status ReadAttachments(const XmlElement& e, const EnvelopeLimits& limits,
                       Envelope& env, Unmapped* unmapped) {
  ElementFields f(e, "AttachmentEncoded", unmapped);
  const std::vector<const XmlElement*> all = f.All("Attachment");
  if (all.size() > limits.max_attachments) {
    return Refused(
        'R', f.PathOf("Attachment"),
        "more than " + std::to_string(limits.max_attachments) + " attachments");
  }
  for (size_t i = 0; i < all.size(); ++i) {
    ElementFields a(*all[i], Indexed(f.PathOf("Attachment"), i), unmapped);
    Attachment attachment;
    DOCBUS_ASSIGN_OR_RETURN(attachment.content_id, a.Text("ContentId"));
    DOCBUS_ASSIGN_OR_RETURN(attachment.attachment_name,
                            a.RequiredText("AttachmentName"));
    DOCBUS_ASSIGN_OR_RETURN(attachment.description, a.Text("Description"));
    DOCBUS_ASSIGN_OR_RETURN(attachment.content_type, a.Text("ContentType"));
    DOCBUS_ASSIGN_OR_RETURN(const XmlElement* data,
                            a.Required("ContentTransferEncoded"));
    if (!data->children.empty()) {
      return Refused('M', a.PathOf("ContentTransferEncoded"),
                     "has child elements, base64 expected");
    }
    // The tree is ParseEnvelope's own: the decoded bytes move into the model
    // instead of being copied (a large attachment is held once).
    attachment.data = std::move(const_cast<XmlElement*>(data)->text);
    a.Finish();
    env.attachments.push_back(std::move(attachment));
  }
  f.Finish();
  return Status::Ok();
}

Status ReadBody(const XmlElement& e, Envelope& env, Unmapped* unmapped) {
  ElementFields f(e, "edXMLBody", unmapped);
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* manifest,
                          f.Optional("edXMLManifest"));
  if (manifest != nullptr) {
    ElementFields m(*manifest, f.PathOf("edXMLManifest"), unmapped);
    for (const XmlElement* r : m.All("Reference")) {
      ElementFields rf(*r, m.PathOf("Reference"), unmapped);
      ManifestReference ref;
      DOCBUS_ASSIGN_OR_RETURN(ref.content_id, rf.Text("ContentId"));
      DOCBUS_ASSIGN_OR_RETURN(ref.content_type, rf.Text("ContentType"));
      DOCBUS_ASSIGN_OR_RETURN(ref.description, rf.Text("Description"));
      DOCBUS_ASSIGN_OR_RETURN(ref.attachment_name, rf.Text("AttachmentName"));
      rf.Finish();
      env.manifest.push_back(std::move(ref));
    }
    m.Finish();
  }
  f.Finish();
  return Status::Ok();
}

}  // namespace

Result<XmlElement> ParseEdxmlRoot(std::string_view bytes,
                                  const XmlLimits& limits) {
  XmlRules rules;
  rules.base64_elements = {"ContentTransferEncoded"};
  rules.raw_elements = {"Signature", "DigitalSignature"};
  DOCBUS_ASSIGN_OR_RETURN(XmlElement root, ParseXml(bytes, limits, rules));
  if (root.name != "edXML" || !IsEdxml(root)) {
    return Refused('M', "edXML", "the root element must be edXML");
  }
  return root;
}

Result<Envelope> ParseEnvelope(std::string_view bytes,
                               const EnvelopeLimits& limits) {
  DOCBUS_ASSIGN_OR_RETURN(XmlElement root, ParseEdxmlRoot(bytes, limits.xml));
  Envelope env;
  Unmapped* unmapped = &env.unmapped;
  ElementFields top(root, "", unmapped);
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* envelope,
                          top.Required("edXMLEnvelope"));
  ElementFields ef(*envelope, "edXMLEnvelope", unmapped);
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* header, ef.Required("edXMLHeader"));
  ElementFields hf(*header, "", unmapped);
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* message,
                          hf.Required("MessageHeader"));
  DOCBUS_RETURN_IF_ERROR(
      ReadMessageHeader(*message, limits, env.header, unmapped));
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* traces,
                          hf.Required("TraceHeaderList"));
  DOCBUS_RETURN_IF_ERROR(ReadTraceHeaderList(*traces, env, unmapped));
  const XmlElement* signature = hf.AnyNamespace("Signature");
  if (signature == nullptr) signature = hf.AnyNamespace("DigitalSignature");
  DOCBUS_ASSIGN_OR_RETURN(env.signature, ReadSignature(signature, limits.xml));
  hf.Finish();
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* body, ef.Optional("edXMLBody"));
  if (body != nullptr) DOCBUS_RETURN_IF_ERROR(ReadBody(*body, env, unmapped));
  ef.Finish();
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* attachments,
                          top.Optional("AttachmentEncoded"));
  if (attachments != nullptr) {
    DOCBUS_RETURN_IF_ERROR(
        ReadAttachments(*attachments, limits, env, unmapped));
  }
  top.Finish();
  return env;
}

}  // namespace docbus::edxml
