#include "agents/vdxp/pull_routes.h"

#include <string>
#include <vector>

namespace docbus::agent::vdxp {
namespace {

using nlohmann::json;

json PacketJson(const PulledPacket& p) {
  json row = {{"id", p.doc_id},
              {"kind", p.kind == PacketKind::kStatus ? "status" : "document"},
              {"from", p.from},
              {"to", p.to},
              {"state", std::string(PullStateName(p.state))},
              {"received_unix_ms", p.received_unix_ms},
              {"updated_unix_ms", p.updated_unix_ms}};
  if (p.kind == PacketKind::kStatus) {
    row["message_id"] = p.about;
    row["code"] = p.code;
  }
  return row;
}

}  // namespace

Result<json> ListPullJson(PullQueue& queue, std::string_view kind,
                          int64_t limit) {
  PacketKind wanted = PacketKind::kDocument;
  if (kind == "status") {
    wanted = PacketKind::kStatus;
  } else if (!kind.empty() && kind != "document" && kind != "edoc") {
    return Status(Code::kInvalidField, "kind: must be document or status");
  }
  DOCBUS_ASSIGN_OR_RETURN(std::vector<PulledPacket> packets,
                          queue.Listed(wanted, limit));
  json list = json::array();
  for (const PulledPacket& p : packets) list.push_back(PacketJson(p));
  return json{{"packets", std::move(list)}};
}

Result<json> UpdatePullJson(PullQueue& queue, std::string_view id,
                            std::string_view body) {
  const json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!request.is_object() || !request.contains("state") ||
      !request["state"].is_string()) {
    return Status(
        Code::kMalformed,
        "body: must be {\"state\": \"done\"|\"fail\"|\"processing\"}");
  }
  DOCBUS_ASSIGN_OR_RETURN(
      PullState state,
      ParsePullState(request["state"].get<std::string>(), "state"));
  DOCBUS_RETURN_IF_ERROR(queue.Update(id, state));
  DOCBUS_ASSIGN_OR_RETURN(PulledPacket packet, queue.Get(id));
  return PacketJson(packet);
}

}  // namespace docbus::agent::vdxp
