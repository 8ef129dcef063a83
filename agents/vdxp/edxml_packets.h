// EdxmlPackets: what the SDK gateway needs of edXML: an envelope or status
// packet in (sendEdoc), a received document or status out as edXML (getEdoc,
// downloadEdoc). The agent's implementation is the edXML bridge
// (agents/edxml/edxml_bridge.h, which owns every edXML rule); the seam is
// here so the gateway's tests can run over a double.
//
// Thread-safety: implementations are called from the gateway's server
// threads at the same time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "agents/agent_service.h"
#include "agents/edxml/edxml_bridge.h"
#include "bus/core/status.h"

namespace docbus::agent::vdxp {

class EdxmlPackets {
 public:
  virtual ~EdxmlPackets() = default;
  // EdxmlBridge::Import: the same bytes twice answer the first id with
  // `duplicate` set.
  virtual Result<EdxmlImported> Import(std::string_view bytes) = 0;
  // EdxmlBridge::ExportDocument / ExportStatus; kNotFound when unknown.
  virtual Result<std::string> ExportDocument(std::string_view message_id) = 0;
  virtual Result<std::string> ExportStatus(std::string_view status_id) = 0;
};

// The edXML bridge over `service` (which must outlive the result).
std::unique_ptr<EdxmlPackets> MakeBridgePackets(AgentService& service);

}  // namespace docbus::agent::vdxp
