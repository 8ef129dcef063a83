// The edXML status packet ("gói tin trạng thái", messagetype status): what a
// recipient (or, for 13, the sender) reports about a document, its code
// table, and its reader and writer.
//
// Packet: edXML/edXMLEnvelope/edXMLHeader/Status with ResponseFor (the
// document: OrganId of its sender, Code "số/ký hiệu", PromulgationDate,
// DocumentId), From (who reports), StatusCode (two digits), Description,
// Timestamp (yyyy/MM/dd HH:mm:ss), StaffInfo. FORMAT.md has the details.
//
// ParseStatus: the hardened reader (edxml_parser.h), then From.OrganId,
// From.OrganName, ResponseFor.OrganId, ResponseFor.Code,
// ResponseFor.DocumentId and StatusCode are required (what the axis hubs
// require: without them the status cannot be matched to its document); the
// code is one of the table ("R.Status.StatusCode: ..."); a code whose entry
// needs a reason has a Description ("N.Status.Description: ..."). Errors as
// in edxml_envelope.h.
//
// WriteStatus: every element prefixed "edXML:", empty fields omitted; parsing
// it gives back an equal StatusPacket (less `unmapped`). Pure functions and
// value types; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"
#include "bus/edxml/edxml_envelope.h"

namespace docbus::edxml {

// One row of the status code table (QCVN 102 and the codes the axis added;
// the reference notes §2.2).
struct StatusCodeInfo {
  int code;                  // 1..6, 13, 15, 16
  std::string_view text;     // "02"
  std::string_view name_vi;  // "Từ chối tiếp nhận"
  std::string_view meaning;
  // The Description must give the reason (a refusal: the sender must learn
  // why).
  bool needs_reason;
  // Sent by the document's sender to its recipients (13: take back), not by
  // a recipient to the sender.
  bool from_sender;
};

std::span<const StatusCodeInfo> StatusCodes();
// The row of "01".."16", or nullopt when docbus does not carry the code.
std::optional<StatusCodeInfo> FindStatusCode(std::string_view text);

struct StatusPacket {
  ResponseFor response_for;
  Organ from;
  std::string status_code;  // "01".."16", as in the table
  std::string description;
  std::string timestamp;
  StaffInfo staff;
  std::vector<std::string> unmapped;  // as Envelope::unmapped
  bool operator==(const StatusPacket&) const = default;
};

Result<StatusPacket> ParseStatus(std::string_view bytes,
                                 const XmlLimits& limits);
std::string WriteStatus(const StatusPacket& packet);

}  // namespace docbus::edxml
