// EdxmlPackets over the agent's edXML bridge.
#include "agents/edxml/edxml_bridge.h"
#include "agents/vdxp/edxml_packets.h"

namespace docbus::agent::vdxp {
namespace {

class BridgePackets final : public EdxmlPackets {
 public:
  explicit BridgePackets(AgentService& service) : bridge_(service) {}
  Result<EdxmlImported> Import(std::string_view bytes) override {
    return bridge_.Import(bytes);
  }
  Result<std::string> ExportDocument(std::string_view message_id) override {
    return bridge_.ExportDocument(message_id);
  }
  Result<std::string> ExportStatus(std::string_view status_id) override {
    return bridge_.ExportStatus(status_id);
  }

 private:
  EdxmlBridge bridge_;
};

}  // namespace

std::unique_ptr<EdxmlPackets> MakeBridgePackets(AgentService& service) {
  return std::make_unique<BridgePackets>(service);
}

}  // namespace docbus::agent::vdxp
