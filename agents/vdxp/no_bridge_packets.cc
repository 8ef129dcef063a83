// EdxmlPackets for a build without the edXML bridge's implementation
// (agents/edxml): the SDK endpoint still authenticates, lists, counts and
// acknowledges, and its edXML calls answer unavailable.
#include "agents/vdxp/edxml_packets.h"

namespace docbus::agent::vdxp {
namespace {

Status NoBridge() {
  return Status(Code::kUnavailable,
                "this agent was built without the edXML bridge");
}

class NoBridgePackets final : public EdxmlPackets {
 public:
  Result<EdxmlImported> Import(std::string_view) override { return NoBridge(); }
  Result<std::string> ExportDocument(std::string_view) override {
    return NoBridge();
  }
  Result<std::string> ExportStatus(std::string_view) override {
    return NoBridge();
  }
};

}  // namespace

std::unique_ptr<EdxmlPackets> MakeBridgePackets(AgentService&) {
  return std::make_unique<NoBridgePackets>();
}

}  // namespace docbus::agent::vdxp
