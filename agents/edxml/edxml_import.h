// How an edXML envelope and a status packet map onto what an agent submits
// (MAPPING.md is the field-by-field table). Recipients and the sender are
// routed through the agency registry (ids and alias ids); everything else
// is carried as given and checked by the one header validator when the
// agent builds the document (its lenient mode for imported headers).
//
// Pure functions over an AgentService's lookups; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agents/agent_service.h"
#include "agents/edxml/edxml_bridge.h"
#include "bus/edxml/edxml_envelope.h"
#include "bus/edxml/edxml_status.h"

namespace docbus::agent {

// The name the envelope bytes travel under, unless an attachment of the
// envelope already has it (then "envelope-2.edxml", ...).
inline constexpr char kEnvelopeAttachmentName[] = "envelope.edxml";
inline constexpr char kEnvelopeMediaType[] = "application/xml";

// The request for `envelope` (parsed from `bytes`): its header and
// attachments, the envelope bytes as the last attachment, and the
// idempotency key (hex SHA-256 of the bytes). `report` receives the mapped
// and unmapped field names. Errors: kNotPermitted when From.OrganId is not
// this agency (nor one of its alias ids), kUnknownRecipient for a To that
// resolves to no registered agency, both naming the element hub-style.
Result<DocumentRequest> RequestFromEnvelope(const edxml::Envelope& envelope,
                                            std::string_view bytes,
                                            AgentService& service,
                                            EdxmlImported* report);

// What a status packet asks of the agent.
struct StatusImport {
  std::string message_id;  // the document it is about
  v1::StatusCode code = v1::STATUS_UNSPECIFIED;
  std::string description;
  std::vector<std::string> to;  // 13: each recipient; else empty (the sender)
};

// The document the packet's ResponseFor names (OrganId resolved through the
// registry, DocumentId): a received document of that sender, or for 13 one
// this agency sent. kNotPermitted when From is not this agency,
// kUnknownDocument when no such document is held.
Result<StatusImport> StatusFromPacket(const edxml::StatusPacket& packet,
                                      AgentService& service,
                                      EdxmlImported* report);

}  // namespace docbus::agent
