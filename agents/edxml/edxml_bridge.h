// The edXML bridge: an agency system's edXML envelopes and status packets
// (QCVN 102:2016) in and out of a running agent, so a QLVB / e-office system
// connects unchanged. Front ends (POST /v1/edxml, GET /v1/inbox/<id>/edxml,
// the drop folder's *.edxml, `docbus send --edxml`, the national axis SDK
// gateway in agents/vdxp) all go through this one class.
//
// Import: an envelope maps onto a DocumentRequest (agents/edxml/MAPPING.md
// lists every field, which are needed to route and which are carried as
// given); its attachments become the document's attachments, bytes as
// decoded; the exact envelope bytes travel as one more attachment
// (DocumentHeader.edxml_envelope). A status packet maps onto a signed status
// about the document its ResponseFor names. The same bytes imported twice
// make one document (a retried POST): the second answer is the first's id
// with `duplicate` set.
//
// Export: a received document as an envelope (the imported bytes unchanged,
// or one built from the header), with a TraceHeader appended for each hop
// (the broker, this agent); a received status as a status packet.
//
// Thread-safe: every call may be made from any thread (it holds no state of
// its own beyond the service it wraps).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agents/agent_limits.h"
#include "agents/agent_service.h"
#include "agents/json_codec.h"
#include "bus/edxml/edxml_envelope.h"
#include "bus/core/status.h"

namespace docbus::agent {

struct EdxmlImported {
  std::string kind;  // "edoc" | "status"
  std::string id;    // the document's message id, or the status id
  bool duplicate = false;  // these exact bytes were imported before
  std::vector<std::string> mapped;    // edXML fields carried into the header
  std::vector<std::string> unmapped;  // fields not mapped: warnings
};

class EdxmlBridge {
 public:
  // `limits`: the agent's configured limits; an envelope may be as large as
  // its attachments in base64 (4/3 of max_document_bytes) plus 1 MiB.
  explicit EdxmlBridge(AgentService& service, const AgentLimits& limits = {});

  // An envelope or a status packet, told apart by its content. Errors:
  // kMalformed / kInvalidField / kTooLarge with the hub-style message
  // ("N.MessageHeader.To: missing"), kUnknownRecipient when a To does not
  // resolve to a registered agency (through its alias ids too),
  // kDuplicateDocument, kUnknownDocument for a status about a document this
  // agent does not hold.
  Result<EdxmlImported> Import(std::string_view bytes);

  // A received document as an edXML envelope; kNotFound when not in the
  // inbox.
  Result<std::string> ExportDocument(std::string_view message_id);

  // A received status as an edXML status packet; kNotFound when unknown.
  Result<std::string> ExportStatus(std::string_view status_id);

 private:
  AgentService& service_;
  edxml::EnvelopeLimits limits_;
};

// The agent's limits as its front ends are given them (JsonLimits).
AgentLimits AgentLimitsOf(const JsonLimits& json);

// The largest envelope an agent with `limits` accepts (also the HTTP body
// limit it needs for POST /v1/edxml).
size_t MaxEnvelopeBytes(const AgentLimits& limits);

}  // namespace docbus::agent
