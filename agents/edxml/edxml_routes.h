// The edXML routes of the agent's HTTP API (agents/API.md), without the HTTP
// library: agents/http_api.cc registers them and sends what they answer.
//
//   POST /v1/edxml                  an envelope or a status packet (the XML
//                                   as the body): 202 with what was mapped,
//                                   200 when these bytes were imported before
//   GET  /v1/inbox/<id>/edxml       a received document as an envelope
//   GET  /v1/statuses/<id>/edxml    a received status as a status packet
//
// Errors are the bridge's (agents/edxml/edxml_bridge.h), answered as the
// API answers every error. Thread-safe (the bridge is).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "agents/edxml/edxml_bridge.h"

namespace docbus::agent {

inline constexpr char kEdxmlContentType[] = "application/xml; charset=utf-8";

struct EdxmlImportAnswer {
  int http_status = 202;
  nlohmann::json body;
};

Result<EdxmlImportAnswer> PostEdxml(EdxmlBridge& bridge, std::string_view body);

// The XML of GET /v1/inbox/<message_id>/edxml and GET
// /v1/statuses/<status_id>/edxml; kInvalidField for an id that is not a
// message id, kNotFound.
Result<std::string> GetDocumentEdxml(EdxmlBridge& bridge,
                                     std::string_view message_id);
Result<std::string> GetStatusEdxml(EdxmlBridge& bridge,
                                   std::string_view status_id);

}  // namespace docbus::agent
