#include "bus/edxml/edxml_status.h"

#include <array>

#include "bus/edxml/element_fields.h"
#include "bus/edxml/field_formats.h"
#include "bus/edxml/xml_out.h"

namespace docbus::edxml {
namespace {

constexpr std::array<StatusCodeInfo, 9> kCodes = {{
    {1, "01", "Đã đến",
     "the recipient's software received it; the clerk has not handled it",
     false, false},
    {2, "02", "Từ chối tiếp nhận",
     "the clerk refuses it (sent by mistake, wrong competence, errors)", true,
     false},
    {3, "03", "Đã tiếp nhận", "the clerk registered it", false, false},
    {4, "04", "Phân công", "assigned for handling", false, false},
    {5, "05", "Đang xử lý", "being handled", false, false},
    {6, "06", "Hoàn thành", "handling finished", false, false},
    {13, "13", "Lấy lại / yêu cầu thu hồi",
     "the sender asks to take back a document it issued", false, true},
    {15, "15", "Đồng ý cập nhật lấy lại/thu hồi",
     "the recipient agrees to the take-back", false, false},
    {16, "16", "Từ chối cập nhật lấy lại/thu hồi",
     "the recipient refuses the take-back", false, false},
}};

}  // namespace

std::span<const StatusCodeInfo> StatusCodes() { return kCodes; }

std::optional<StatusCodeInfo> FindStatusCode(std::string_view text) {
  for (const StatusCodeInfo& info : kCodes) {
    if (info.text == text) return info;
  }
  return std::nullopt;
}

Result<StatusPacket> ParseStatus(std::string_view bytes,
                                 const XmlLimits& limits) {
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement root, ParseEdxmlRoot(bytes, limits));
  StatusPacket p;
  std::vector<std::string>* unmapped = &p.unmapped;
  ElementFields top(root, "", unmapped);
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* envelope,
                          top.Required("edXMLEnvelope"));
  ElementFields ef(*envelope, "edXMLEnvelope", unmapped);
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* header, ef.Required("edXMLHeader"));
  ElementFields hf(*header, "", unmapped);
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* status, hf.Required("Status"));
  ElementFields f(*status, "Status", unmapped);

  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* response,
                          f.Required("ResponseFor"));
  DOCBUS_ASSIGN_OR_RETURN(
      p.response_for,
      ReadResponseFor(*response, f.PathOf("ResponseFor"), unmapped));
  const std::string rpath = f.PathOf("ResponseFor");
  if (p.response_for.organ_id.empty()) {
    return Refused('N', rpath + ".OrganId", "missing or empty");
  }
  if (p.response_for.code.empty()) {
    return Refused('N', rpath + ".Code", "missing or empty");
  }
  if (p.response_for.document_id.empty()) {
    return Refused('N', rpath + ".DocumentId", "missing or empty");
  }
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* from, f.Required("From"));
  DOCBUS_ASSIGN_OR_RETURN(p.from, ReadOrgan(*from, f.PathOf("From"), unmapped));
  if (p.from.organ_name.empty()) {
    return Refused('N', f.PathOf("From") + ".OrganName", "missing or empty");
  }
  DOCBUS_ASSIGN_OR_RETURN(p.status_code, f.RequiredText("StatusCode"));
  const std::optional<StatusCodeInfo> code = FindStatusCode(p.status_code);
  if (!code) {
    return Refused('R', f.PathOf("StatusCode"),
                   "must be 01-06, 13, 15 or 16 (two digits)");
  }
  DOCBUS_ASSIGN_OR_RETURN(p.description, f.Text("Description"));
  if (code->needs_reason &&
      p.description.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Refused('N', f.PathOf("Description"),
                   "status " + std::string(code->text) +
                       " needs the reason in Description");
  }
  DOCBUS_ASSIGN_OR_RETURN(p.timestamp, f.Text("Timestamp"));
  DOCBUS_RETURN_IF_ERROR(CheckTimestamp(f.PathOf("Timestamp"), p.timestamp));
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* staff, f.Optional("StaffInfo"));
  if (staff != nullptr) {
    DOCBUS_ASSIGN_OR_RETURN(
        p.staff, ReadStaffInfo(*staff, f.PathOf("StaffInfo"), unmapped));
  }
  f.Finish();
  hf.Finish();
  ef.Finish();
  top.Finish();
  return p;
}

std::string WriteStatus(const StatusPacket& p) {
  std::string doc;
  XmlOut out(&doc);
  out.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  out.Raw("<edXML:edXML xmlns:edXML=\"" + std::string(kEdxmlNamespace) + "\">");
  out.Open("edXMLEnvelope");
  out.Open("edXMLHeader");
  out.Open("Status");
  WriteResponseFor(out, p.response_for);
  WriteOrgan(out, "From", p.from);
  out.Leaf("StatusCode", p.status_code);
  out.Leaf("Description", p.description);
  out.Leaf("Timestamp", p.timestamp);
  if (p.staff != StaffInfo{}) WriteStaffInfo(out, p.staff);
  out.Close("Status");
  out.Close("edXMLHeader");
  out.Close("edXMLEnvelope");
  out.Close("edXML");
  doc.push_back('\n');
  return doc;
}

}  // namespace docbus::edxml
