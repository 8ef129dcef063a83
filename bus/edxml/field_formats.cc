#include "bus/edxml/field_formats.h"

namespace docbus::edxml {
namespace {

bool Digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int Number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

}  // namespace

bool IsEdxmlDate(std::string_view t, bool dashes_too) {
  if (t.size() != 10) return false;
  const char sep = t[4];
  if (!(sep == '/' || (dashes_too && sep == '-')) || t[7] != sep) return false;
  const std::string_view y = t.substr(0, 4), m = t.substr(5, 2),
                         d = t.substr(8, 2);
  if (!Digits(y) || !Digits(m) || !Digits(d)) return false;
  const int year = Number(y), month = Number(m), day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (day > kDays[month - 1]) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return !(month == 2 && day == 29 && !leap);
}

bool IsEdxmlTimestamp(std::string_view t) {
  if (t.size() != 19 || t[10] != ' ' || t[13] != ':' || t[16] != ':') {
    return false;
  }
  if (!IsEdxmlDate(t.substr(0, 10))) return false;
  const std::string_view h = t.substr(11, 2), m = t.substr(14, 2),
                         s = t.substr(17, 2);
  return Digits(h) && Digits(m) && Digits(s) && Number(h) < 24 &&
         Number(m) < 60 && Number(s) < 60;
}

std::optional<int> SmallInt(std::string_view text) {
  if (text.size() > 9 || !Digits(text)) return std::nullopt;
  return Number(text);
}

Status CheckDate(std::string_view path, std::string_view text,
                 bool dashes_too) {
  if (text.empty() || IsEdxmlDate(text, dashes_too)) return Status::Ok();
  return Refused(
      'M', path,
      dashes_too ? "must be yyyy/MM/dd (or yyyy-MM-dd)" : "must be yyyy/MM/dd");
}

Status CheckTimestamp(std::string_view path, std::string_view text) {
  if (text.empty() || IsEdxmlTimestamp(text)) return Status::Ok();
  return Refused('M', path, "must be yyyy/MM/dd HH:mm:ss");
}

Status CheckInteger(std::string_view path, std::string_view text) {
  if (text.empty() || SmallInt(text)) return Status::Ok();
  return Refused('M', path, "must be a whole number");
}

Result<Organ> ReadOrgan(const XmlElement& e, const std::string& path,
                        std::vector<std::string>* unmapped) {
  ElementFields f(e, path, unmapped);
  Organ o;
  DOCBUS_ASSIGN_OR_RETURN(o.organ_id, f.RequiredText("OrganId"));
  DOCBUS_ASSIGN_OR_RETURN(o.organization_in_charge,
                          f.Text("OrganizationInCharge"));
  DOCBUS_ASSIGN_OR_RETURN(o.organ_name, f.Text("OrganName"));
  DOCBUS_ASSIGN_OR_RETURN(o.organ_add, f.Text("OrganAdd"));
  DOCBUS_ASSIGN_OR_RETURN(o.email, f.Text("Email"));
  DOCBUS_ASSIGN_OR_RETURN(o.telephone, f.Text("Telephone"));
  DOCBUS_ASSIGN_OR_RETURN(o.fax, f.Text("Fax"));
  DOCBUS_ASSIGN_OR_RETURN(o.website, f.Text("Website"));
  f.Finish();
  return o;
}

Result<ResponseFor> ReadResponseFor(const XmlElement& e,
                                    const std::string& path,
                                    std::vector<std::string>* unmapped) {
  ElementFields f(e, path, unmapped);
  ResponseFor r;
  DOCBUS_ASSIGN_OR_RETURN(r.organ_id, f.Text("OrganId"));
  DOCBUS_ASSIGN_OR_RETURN(r.code, f.Text("Code"));
  DOCBUS_ASSIGN_OR_RETURN(r.promulgation_date, f.Text("PromulgationDate"));
  DOCBUS_RETURN_IF_ERROR(CheckDate(f.PathOf("PromulgationDate"),
                                   r.promulgation_date, /*dashes_too=*/true));
  DOCBUS_ASSIGN_OR_RETURN(r.document_id, f.Text("DocumentId"));
  f.Finish();
  return r;
}

Result<StaffInfo> ReadStaffInfo(const XmlElement& e, const std::string& path,
                                std::vector<std::string>* unmapped) {
  ElementFields f(e, path, unmapped);
  StaffInfo s;
  DOCBUS_ASSIGN_OR_RETURN(s.department, f.Text("Department"));
  DOCBUS_ASSIGN_OR_RETURN(s.staff, f.Text("Staff"));
  DOCBUS_ASSIGN_OR_RETURN(s.mobile, f.Text("Mobile"));
  DOCBUS_ASSIGN_OR_RETURN(s.email, f.Text("Email"));
  f.Finish();
  return s;
}

void WriteOrgan(XmlOut& out, std::string_view name, const Organ& o) {
  out.Open(name);
  out.Leaf("OrganId", o.organ_id);
  out.Leaf("OrganizationInCharge", o.organization_in_charge);
  out.Leaf("OrganName", o.organ_name);
  out.Leaf("OrganAdd", o.organ_add);
  out.Leaf("Email", o.email);
  out.Leaf("Telephone", o.telephone);
  out.Leaf("Fax", o.fax);
  out.Leaf("Website", o.website);
  out.Close(name);
}

void WriteResponseFor(XmlOut& out, const ResponseFor& r) {
  out.Open("ResponseFor");
  out.Leaf("OrganId", r.organ_id);
  out.Leaf("Code", r.code);
  out.Leaf("PromulgationDate", r.promulgation_date);
  out.Leaf("DocumentId", r.document_id);
  out.Close("ResponseFor");
}

void WriteStaffInfo(XmlOut& out, const StaffInfo& s) {
  out.Open("StaffInfo");
  out.Leaf("Department", s.department);
  out.Leaf("Staff", s.staff);
  out.Leaf("Mobile", s.mobile);
  out.Leaf("Email", s.email);
  out.Close("StaffInfo");
}

}  // namespace docbus::edxml
