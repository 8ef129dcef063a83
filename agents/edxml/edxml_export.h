// How a received document becomes an edXML envelope again, and a received
// status a status packet (MAPPING.md has the table).
//
// An imported document exports the bytes it was imported from, with only
// new TraceHeader elements inserted into the TraceHeaderList text; a native
// one exports an envelope written from its header (bus/edxml's writer:
// every element "edXML:"-prefixed). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agents/agent_service.h"
#include "bus/document/time_zone.h"
#include "bus/edxml/edxml_envelope.h"
#include "bus/edxml/edxml_status.h"

namespace docbus::agent {

// The organ id of the broker's TraceHeader when it did not say its relay id.
inline constexpr char kBrokerTraceId[] = "docbus-broker";

// "yyyy/MM/dd HH:mm:ss" of `unix_ms` in `zone`.
std::string EdxmlTimestamp(int64_t unix_ms, const document::TimeZone& zone);

// The hops docbus adds to a received document: the broker (when it told its
// hop) and this agency at its received time.
std::vector<edxml::TraceHeader> DocbusHops(const IncomingDocument& document,
                                           std::string_view agency_id,
                                           const document::TimeZone& zone);

// `original` (an envelope that parsed) with `traces` inserted after its last
// TraceHeader (or as the first children of its TraceHeaderList), written with
// the prefix the list uses; nothing else changes. kMalformed when no
// TraceHeaderList start tag is found.
Result<std::string> AppendTraces(std::string_view original,
                                 const std::vector<edxml::TraceHeader>& traces);

// The envelope of a native document: its header's fields, the sender's
// TraceHeader (its created time), then `hops`; its attachments.
edxml::Envelope EnvelopeFromDocument(const IncomingDocument& document,
                                     const document::TimeZone& zone,
                                     const std::vector<edxml::TraceHeader>& hops);

// The packet of a received status; `reporter` is its From as the registry
// names it.
edxml::StatusPacket PacketFromStatus(const v1::StatusBody& body,
                                     const AgencyName& reporter,
                                     const document::TimeZone& zone);

}  // namespace docbus::agent
