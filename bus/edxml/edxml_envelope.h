// The edXML envelope (QCVN 102:2016 "gói tin văn bản", messagetype edoc) as
// a plain model, with its reader and writer. FORMAT.md lists every element,
// which are required and why, and the limits.
//
// ParseEnvelope reads untrusted bytes through the hardened reader
// (edxml_parser.h): no DTD, no entities, depth/size/text limits, UTF-8
// only. Children are matched with or without the "edXML:" prefix and in any
// order; text is carried as given (no trimming). On failure: a Status whose
// message names the rule and the element, as the axis hubs do:
// "N.MessageHeader.To: missing", "R.TraceHeaderList.Bussiness.
// BussinessDocType: must be 0-3", "M.MessageHeader.PromulgationInfo.
// PromulgationDate: must be yyyy/MM/dd" (kInvalidField), "M.xml: ..."
// (kMalformed), "R.size: ..." (kTooLarge).
//
// WriteEnvelope writes every element with the explicit "edXML:" prefix (the
// national axis's .NET XmlSerializer refuses unprefixed children), empty
// fields omitted, the Signature as the bytes it came with. Parsing what it
// wrote gives back an equal Envelope (less `unmapped`).
//
// Memory: parsing holds the caller's document plus the decoded attachment
// bytes (at most 3/4 of the base64 text) plus the other fields (each under
// XmlLimits::max_text_bytes); writing holds the Envelope plus the written
// document (4/3 of the attachment bytes, plus the fields).
//
// Value types and pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"
#include "bus/edxml/edxml_parser.h"

namespace docbus::edxml {

// MessageHeader From / To (1.1, 1.2). OrganId is whatever the sender wrote:
// an agency id, or a system id such as "vxp.saas.03".
struct Organ {
  std::string organ_id;
  std::string organization_in_charge;
  std::string organ_name;
  std::string organ_add;
  std::string email;
  std::string telephone;
  std::string fax;
  std::string website;
  bool operator==(const Organ&) const = default;
};

struct DocumentCode {  // 1.3: số (CodeNumber, not always digits), ký hiệu
  std::string code_number;
  std::string code_notation;
  bool operator==(const DocumentCode&) const = default;
};

struct PromulgationInfo {  // 1.4
  std::string place;
  std::string promulgation_date;  // yyyy/MM/dd
  bool operator==(const PromulgationInfo&) const = default;
};

struct DocumentType {  // 1.5; Type and TypeDetail are integers
  std::string type;
  std::string type_detail;
  std::string type_name;
  bool operator==(const DocumentType&) const = default;
};

struct SignerInfo {  // 1.8
  std::string competence;
  std::string position;
  std::string full_name;
  bool operator==(const SignerInfo&) const = default;
};

struct OtherInfo {       // 1.11
  std::string priority;  // "0".."4" when present
  std::string sphere_of_promulgation;
  std::string typer_notation;
  std::string promulgation_amount;
  std::string page_amount;
  std::string direction;
  std::vector<std::string> appendixes;
  bool operator==(const OtherInfo&) const = default;
};

struct ResponseFor {  // 1.12, and the status packet's
  std::string organ_id;
  std::string code;
  std::string promulgation_date;  // yyyy/MM/dd or yyyy-MM-dd
  std::string document_id;
  bool operator==(const ResponseFor&) const = default;
};

struct MessageHeader {
  Organ from;
  std::vector<Organ> to;
  DocumentCode code;
  PromulgationInfo promulgation_info;
  DocumentType document_type;
  std::string subject;
  std::string content;
  SignerInfo signer_info;
  std::string due_date;  // yyyy/MM/dd when present
  std::vector<std::string> to_places;
  OtherInfo other_info;
  std::vector<ResponseFor> response_for;
  std::string steering_type;
  std::string document_id;  // as given: <OrganId>,<date>,<số>/<ký hiệu>, or not
  bool operator==(const MessageHeader&) const = default;
};

struct TraceHeader {
  std::string organ_id;
  std::string timestamp;  // yyyy/MM/dd HH:mm:ss
  bool operator==(const TraceHeader&) const = default;
};

struct StaffInfo {
  std::string department;
  std::string staff;
  std::string mobile;
  std::string email;
  bool operator==(const StaffInfo&) const = default;
};

struct Receiver {
  std::string organ_id;
  std::string receiver_type;
  bool operator==(const Receiver&) const = default;
};

struct BussinessDocumentInfo {  // with an update: what changed
  std::string document_info;
  std::string document_receiver;
  std::vector<Receiver> receivers;
  bool operator==(const BussinessDocumentInfo&) const = default;
};

struct ReplacementInfo {  // with a replacement: what it replaces, and who held
                          // it
  std::string document_id;
  std::vector<std::string> organ_ids;
  bool operator==(const ReplacementInfo&) const = default;
};

enum class BusinessType { kNew = 0, kRevoke = 1, kUpdate = 2, kReplace = 3 };

// TraceHeaderList/Bussiness (sic: the standard spells it so).
struct Business {
  BusinessType doc_type = BusinessType::kNew;
  std::string doc_reason;
  std::string document_id;  // the earlier document acted on
  std::string paper;
  std::vector<StaffInfo> staff;
  bool has_document_info = false;
  BussinessDocumentInfo document_info;
  std::vector<ReplacementInfo> replacements;
  bool operator==(const Business&) const = default;
};

// An XML-DSig envelope signature, carried and never verified: absent, an
// empty element (some senders write one), or filled. `xml` is the element's
// exact bytes as received; `prefix`/`ns` its namespace prefix and URI, so a
// writer can declare the prefix again.
struct Signature {
  enum class State { kAbsent, kEmpty, kFilled };
  State state = State::kAbsent;
  std::string xml;
  std::string prefix;
  std::string ns;
  bool operator==(const Signature&) const = default;
};

// edXMLBody/edXMLManifest/Reference: the sender's list of its attachments.
struct ManifestReference {
  std::string content_id;
  std::string content_type;
  std::string description;
  std::string attachment_name;
  bool operator==(const ManifestReference&) const = default;
};

// AttachmentEncoded/Attachment; `data` holds the decoded bytes exactly (a
// zip stays the zip it was).
struct Attachment {
  std::string content_id;
  std::string attachment_name;
  std::string description;
  std::string content_type;
  std::string data;
  bool operator==(const Attachment&) const = default;
};

struct Envelope {
  MessageHeader header;
  std::vector<TraceHeader> traces;
  Business business;
  Signature signature;
  std::vector<ManifestReference> manifest;
  std::vector<Attachment> attachments;
  // Elements read but not mapped ("MessageHeader.Foo"), for a caller to warn
  // about; never written.
  std::vector<std::string> unmapped;
  bool operator==(const Envelope&) const = default;
};

struct EnvelopeLimits {
  XmlLimits xml;
  size_t max_attachments = 64;
  size_t max_recipients = 500;
};

Result<Envelope> ParseEnvelope(std::string_view bytes,
                               const EnvelopeLimits& limits);
std::string WriteEnvelope(const Envelope& envelope);

// The namespace declaration (" xmlns:ds=\"...\"", or "") the writer puts on
// the root for a carried signature: the one its own element relied on.
std::string SignatureNamespace(const Signature& signature);

}  // namespace docbus::edxml
