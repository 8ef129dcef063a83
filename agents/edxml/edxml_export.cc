#include "agents/edxml/edxml_export.h"

#include <cstdio>

#include "bus/edxml/xml_out.h"

namespace docbus::agent {
namespace {

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

// A tag of local name `name` at `at` (the name's first byte): its prefix
// ("edXML:" or "") when the bytes before are "<" or "</" and a prefix, and
// the byte after ends the name; `closing` tells which. npos-safe.
struct Tag {
  bool found = false;
  bool closing = false;
  std::string prefix;
  size_t begin = 0;  // the '<'
  size_t end = 0;    // one past the '>'
};

Tag TagAt(std::string_view xml, size_t at, std::string_view name) {
  Tag tag;
  const size_t after = at + name.size();
  if (after >= xml.size()) return tag;
  const char next = xml[after];
  if (!(next == '>' || next == '/' || next == ' ' || next == '\t' ||
        next == '\r' || next == '\n')) {
    return tag;
  }
  size_t p = at;
  if (p > 0 && xml[p - 1] == ':') {
    size_t q = p - 1;
    while (q > 0 && NameChar(xml[q - 1])) --q;
    if (q == p - 1) return tag;
    tag.prefix = std::string(xml.substr(q, p - 1 - q));
    p = q;
  }
  if (p > 0 && xml[p - 1] == '/') {
    tag.closing = true;
    --p;
  }
  if (p == 0 || xml[p - 1] != '<') return tag;
  const size_t gt = xml.find('>', after);
  if (gt == std::string_view::npos) return tag;
  tag.found = true;
  tag.begin = p - 1;
  tag.end = gt + 1;
  return tag;
}

// The first tag of `name` (opening or closing as asked) in [from, to).
Tag FindTag(std::string_view xml, std::string_view name, bool closing,
            size_t from, size_t to) {
  for (size_t at = xml.find(name, from); at != std::string_view::npos && at < to;
       at = xml.find(name, at + 1)) {
    Tag tag = TagAt(xml, at, name);
    if (tag.found && tag.closing == closing) return tag;
  }
  return Tag{};
}

std::string TwoDigits(int64_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", static_cast<int>(v));
  return buf;
}

std::string Escaped(std::string_view text) {
  std::string out;
  edxml::XmlOut(&out).Text(text);
  return out;
}

edxml::Organ OrganOf(const v1::Organ& o) {
  return edxml::Organ{o.organ_id(),  o.organization_in_charge(),
                      o.organ_name(), o.organ_address(),
                      o.email(),      o.telephone(),
                      o.fax(),        o.website()};
}

std::string IntText(int64_t v, bool keep_zero) {
  return v == 0 && !keep_zero ? "" : std::to_string(v);
}

}  // namespace

std::string EdxmlTimestamp(int64_t unix_ms, const document::TimeZone& zone) {
  int64_t seconds = unix_ms / 1000;
  if (unix_ms % 1000 < 0) --seconds;
  int64_t local = (seconds + zone.OffsetSeconds(seconds)) % 86400;
  if (local < 0) local += 86400;
  return document::EdxmlDate(unix_ms, zone) + " " + TwoDigits(local / 3600) +
         ":" + TwoDigits(local / 60 % 60) + ":" + TwoDigits(local % 60);
}

std::vector<edxml::TraceHeader> DocbusHops(const IncomingDocument& document,
                                           std::string_view agency_id,
                                           const document::TimeZone& zone) {
  std::vector<edxml::TraceHeader> hops;
  if (document.broker_accepted_unix_ms != 0) {
    hops.push_back(edxml::TraceHeader{
        document.broker_relay_id.empty() ? std::string(kBrokerTraceId)
                                         : document.broker_relay_id,
        EdxmlTimestamp(document.broker_accepted_unix_ms, zone)});
  }
  hops.push_back(edxml::TraceHeader{
      std::string(agency_id),
      EdxmlTimestamp(document.summary.received_unix_ms, zone)});
  return hops;
}

Result<std::string> AppendTraces(
    std::string_view original, const std::vector<edxml::TraceHeader>& traces) {
  constexpr std::string_view kList = "TraceHeaderList";
  const Tag open = FindTag(original, kList, false, 0, original.size());
  if (!open.found || original[open.end - 2] == '/') {
    return Status(Code::kMalformed,
                  "M.TraceHeaderList: no TraceHeaderList element to append to");
  }
  const Tag close = FindTag(original, kList, true, open.end, original.size());
  if (!close.found) {
    return Status(Code::kMalformed, "M.TraceHeaderList: not closed");
  }
  // After the last TraceHeader of the list, in the prefix it uses.
  size_t insert_at = open.end;
  std::string prefix = open.prefix;
  for (size_t from = open.end;;) {
    Tag last = FindTag(original, "TraceHeader", true, from, close.begin);
    if (!last.found) break;
    insert_at = last.end;
    prefix = last.prefix;
    from = last.end;
  }
  if (!prefix.empty()) prefix += ':';
  std::string added;
  for (const edxml::TraceHeader& t : traces) {
    added += "<" + prefix + "TraceHeader><" + prefix + "OrganId>" +
             Escaped(t.organ_id) + "</" + prefix + "OrganId><" + prefix +
             "Timestamp>" + Escaped(t.timestamp) + "</" + prefix +
             "Timestamp></" + prefix + "TraceHeader>";
  }
  std::string out;
  out.reserve(original.size() + added.size());
  out.append(original.substr(0, insert_at));
  out += added;
  out.append(original.substr(insert_at));
  return out;
}

edxml::Envelope EnvelopeFromDocument(
    const IncomingDocument& document, const document::TimeZone& zone,
    const std::vector<edxml::TraceHeader>& hops) {
  const v1::DocumentHeader& h = document.header;
  edxml::Envelope env;
  edxml::MessageHeader& m = env.header;
  m.from = OrganOf(h.from());
  for (const v1::Organ& to : h.to()) m.to.push_back(OrganOf(to));
  m.code = {h.code().code_number(), h.code().code_notation()};
  // edXML requires a PromulgationDate; a native document without one has
  // the date its agent signed it (what its DocumentId was derived from).
  m.promulgation_info = {h.promulgation_info().place(),
                         h.promulgation_info().promulgation_date()};
  if (m.promulgation_info.promulgation_date.empty()) {
    m.promulgation_info.promulgation_date =
        document::EdxmlDate(h.created_unix_ms(), zone);
  }
  m.document_type = {IntText(h.document_type().type(), true),
                     IntText(h.document_type().type_detail(), true),
                     h.document_type().type_name()};
  m.subject = h.subject();
  m.content = h.content();
  m.signer_info = {h.signer_info().competence(), h.signer_info().position(),
                   h.signer_info().full_name()};
  m.due_date = h.due_date();
  m.to_places.assign(h.to_places().begin(), h.to_places().end());
  m.other_info.priority = std::to_string(static_cast<int>(h.priority()));
  for (const v1::ResponseFor& r : h.response_for()) {
    m.response_for.push_back(edxml::ResponseFor{
        r.organ_id(), r.code(), r.promulgation_date(), r.document_id()});
  }
  m.steering_type = IntText(h.steering_type(), false);
  m.document_id = h.document_id();
  env.traces.push_back(edxml::TraceHeader{
      h.from().organ_id(), EdxmlTimestamp(h.created_unix_ms(), zone)});
  env.traces.insert(env.traces.end(), hops.begin(), hops.end());
  edxml::Business& b = env.business;
  b.doc_type = static_cast<edxml::BusinessType>(h.business_type());
  b.doc_reason = h.business_reason();
  b.document_id = h.business_target_document_id();
  if (h.business_type() == v1::BUSINESS_REPLACE) {
    b.replacements.push_back(
        edxml::ReplacementInfo{h.business_target_document_id(), {}});
  }
  const v1::StaffInfo& s = h.staff_info();
  if (!s.department().empty() || !s.staff().empty() || !s.email().empty() ||
      !s.mobile().empty()) {
    b.staff.push_back(
        edxml::StaffInfo{s.department(), s.staff(), s.mobile(), s.email()});
  }
  for (size_t i = 0; i < document.attachments.size(); ++i) {
    const AttachmentInput& a = document.attachments[i];
    const std::string id = std::to_string(i + 1);
    env.manifest.push_back(
        edxml::ManifestReference{id, a.media_type, "", a.name});
    env.attachments.push_back(
        edxml::Attachment{id, a.name, "", a.media_type, a.data});
  }
  return env;
}

edxml::StatusPacket PacketFromStatus(const v1::StatusBody& body,
                                     const AgencyName& reporter,
                                     const document::TimeZone& zone) {
  edxml::StatusPacket p;
  const v1::ResponseFor& r = body.response_for();
  p.response_for = {r.organ_id(), r.code(), r.promulgation_date(),
                    r.document_id()};
  p.from = OrganOf(body.from());
  if (p.from.organ_name.empty()) {
    p.from.organ_name = reporter.name.empty() ? reporter.id : reporter.name;
  }
  p.status_code = TwoDigits(static_cast<int>(body.code()));
  p.description = body.description();
  p.timestamp = EdxmlTimestamp(body.created_unix_ms(), zone);
  const v1::StaffInfo& s = body.staff_info();
  p.staff = {s.department(), s.staff(), s.mobile(), s.email()};
  return p;
}

}  // namespace docbus::agent
