#include "agents/vdxp/sdk_calls.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "bus/core/base64.h"

namespace docbus::agent::vdxp {
namespace {

using nlohmann::json;

// A list answer holds at most this many packets; the rest come once these
// are done (the SDK has no paging).
constexpr int64_t kMaxListed = 1000;
// getSentEdocList without a docId: the newest documents sent.
constexpr int64_t kMaxSent = 100;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// yyyy/MM/dd HH:mm:ss in UTC, like edXML's Timestamp; "" for 0.
std::string TimeText(int64_t unix_ms) {
  if (unix_ms <= 0) return "";
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y/%m/%d %H:%M:%S", &tm);
  return text;
}

Result<std::string> RequiredParam(const SdkParams& params,
                                  std::string_view name) {
  std::string value = params.Get(name);
  if (value.empty()) {
    return Status(Code::kInvalidField,
                  std::string(name) + ": missing (a signed header)");
  }
  return value;
}

json PacketRow(const PulledPacket& p) {
  return json{{"docId", p.doc_id},
              {"serviceType", "eDoc"},
              {"messageType", std::string(PacketKindName(p.kind))},
              {"created_time", TimeText(p.received_unix_ms)},
              {"updated_time", TimeText(p.updated_unix_ms)},
              {"from", p.from},
              {"to", p.to},
              {"status", std::string(PullStateName(p.state))},
              {"status_desc", p.state == PullState::kFail
                                  ? "failed once; listed again"
                                  : std::string(PullStateName(p.state))}};
}

// One row per recipient of a sent document.
void AddSentRows(const OutgoingView& view, const std::string& from,
                 json& rows) {
  for (const std::string& to : view.recipients) {
    std::string receive = "pending";
    int64_t received_ms = 0;
    for (const ReceiptView& r : view.receipts) {
      if (r.recipient == to) {
        receive = "received";
        received_ms = r.received_unix_ms;
      }
    }
    if (std::find(view.dead_letters.begin(), view.dead_letters.end(), to) !=
        view.dead_letters.end()) {
      receive = "expired";
    }
    std::string latest_status;
    for (const StatusView& s : view.statuses) {
      if (s.from != to) continue;
      char code[8];
      std::snprintf(code, sizeof(code), "%02d", s.code);
      latest_status = code;
    }
    rows.push_back(json{
        {"serviceType", "eDoc"},
        {"messageType", "edoc"},
        {"senderDocId", view.message_id},
        {"receiverDocId", view.message_id},
        {"fromCode", from},
        {"toCode", to},
        {"sendStatus", view.state},
        {"sendStatusDesc", view.state == "rejected"
                               ? view.reason + ": " + view.detail
                               : view.state},
        {"receiveStatus", receive},
        {"receiveStatusDesc",
         latest_status.empty() ? receive : "edXML status " + latest_status},
        {"sentTime", TimeText(view.submitted_unix_ms)},
        {"receivedTime", TimeText(received_ms)},
        {"title", ""},
        {"notation", ""}});
  }
}

}  // namespace

json SdkOk() {
  return json{{"status", "OK"}, {"ErrorCode", "0"}, {"ErrorDesc", "Success"}};
}

json SdkFail(const Status& status) {
  return json{{"status", "FAIL"},
              {"ErrorCode", std::string(CodeName(status.code()))},
              {"ErrorDesc", status.message()}};
}

Result<PacketKind> ParseMessageType(std::string_view text) {
  const std::string lower = Lower(text);
  if (lower.empty() || lower == "edoc") return PacketKind::kDocument;
  if (lower == "status") return PacketKind::kStatus;
  return Status(Code::kInvalidField, "messagetype: must be edoc or status");
}

Result<SdkReply> SdkCalls::Serve(std::string_view call, const SdkParams& params,
                                 std::string_view body) {
  if (call == "sendEdoc") return SendEdoc(params, body);
  if (call == "getReceivedEdocList") return ReceivedList(params);
  if (call == "getSentEdocList") return SentList(params);
  if (call == "getEdoc") return GetEdoc(params, false);
  if (call == "downloadEdoc") return GetEdoc(params, true);
  if (call == "countReceiveEdoc") return Count(PacketKind::kDocument);
  if (call == "countReceiveStatus") return Count(PacketKind::kStatus);
  if (call == "updateStatus") return UpdateStatus(params);
  return Status(Code::kNotFound,
                "no such call: " + std::string(call.substr(0, 64)));
}

Result<SdkReply> SdkCalls::SendEdoc(const SdkParams& params,
                                    std::string_view body) {
  // messagetype is checked but not trusted: the bridge tells an envelope
  // from a status packet by its content.
  DOCBUS_RETURN_IF_ERROR(ParseMessageType(params.Get("messagetype")).status());
  DOCBUS_ASSIGN_OR_RETURN(std::string hash, RequiredParam(params, "hash-file"));
  DOCBUS_ASSIGN_OR_RETURN(std::string_view file, FileMatchingHash(hash, body));
  DOCBUS_ASSIGN_OR_RETURN(EdxmlImported imported, packets_.Import(file));
  SdkReply reply;
  reply.body = SdkOk();
  reply.body["DocId"] = imported.id;
  if (imported.duplicate) {
    reply.body["ErrorDesc"] =
        "Success (this envelope was received before: the same DocId)";
  }
  reply.note = "kind=" + imported.kind + " id=" + imported.id +
               " duplicate=" + (imported.duplicate ? "yes" : "no") +
               " unmapped=" + std::to_string(imported.unmapped.size());
  return reply;
}

Result<SdkReply> SdkCalls::ReceivedList(const SdkParams& params) {
  DOCBUS_ASSIGN_OR_RETURN(PacketKind kind,
                          ParseMessageType(params.Get("messagetype")));
  DOCBUS_ASSIGN_OR_RETURN(std::vector<PulledPacket> packets,
                          queue_.Listed(kind, kMaxListed));
  json data = json::array();
  for (const PulledPacket& p : packets) data.push_back(PacketRow(p));
  SdkReply reply;
  reply.body = SdkOk();
  reply.body["data"] = std::move(data);
  reply.note = "listed=" + std::to_string(packets.size());
  return reply;
}

Result<SdkReply> SdkCalls::SentList(const SdkParams& params) {
  AgentService& service = queue_.service();
  std::vector<OutgoingView> views;
  const std::string doc_id = params.Get("docId");
  if (!doc_id.empty()) {
    DOCBUS_ASSIGN_OR_RETURN(OutgoingView view, service.Outgoing(doc_id));
    views.push_back(std::move(view));
  } else {
    DOCBUS_ASSIGN_OR_RETURN(views, service.ListOutgoing(kMaxSent));
  }
  json data = json::array();
  for (const OutgoingView& v : views) {
    AddSentRows(v, service.agency_id(), data);
  }
  SdkReply reply;
  reply.body = SdkOk();
  reply.body["data"] = std::move(data);
  return reply;
}

Result<std::string> SdkCalls::Export(const SdkParams& params) {
  DOCBUS_ASSIGN_OR_RETURN(std::string doc_id, RequiredParam(params, "docId"));
  DOCBUS_ASSIGN_OR_RETURN(PulledPacket packet, queue_.Get(doc_id));
  if (packet.kind == PacketKind::kStatus) {
    return packets_.ExportStatus(packet.doc_id);
  }
  return packets_.ExportDocument(packet.doc_id);
}

Result<SdkReply> SdkCalls::GetEdoc(const SdkParams& params, bool raw) {
  DOCBUS_ASSIGN_OR_RETURN(std::string edxml, Export(params));
  SdkReply reply;
  reply.note = "bytes=" + std::to_string(edxml.size());
  if (raw) {
    reply.is_raw = true;
    reply.raw = std::move(edxml);
    return reply;
  }
  reply.body = SdkOk();
  reply.body["data"] = Base64Encode(edxml);
  return reply;
}

Result<SdkReply> SdkCalls::Count(PacketKind kind) {
  DOCBUS_ASSIGN_OR_RETURN(int64_t count, queue_.CountListed(kind));
  SdkReply reply;
  reply.body = SdkOk();
  reply.body["count"] = count;
  return reply;
}

Result<SdkReply> SdkCalls::UpdateStatus(const SdkParams& params) {
  DOCBUS_ASSIGN_OR_RETURN(std::string doc_id, RequiredParam(params, "docId"));
  DOCBUS_ASSIGN_OR_RETURN(std::string text, RequiredParam(params, "status"));
  DOCBUS_ASSIGN_OR_RETURN(PullState state, ParsePullState(text, "status"));
  DOCBUS_RETURN_IF_ERROR(queue_.Update(doc_id, state));
  SdkReply reply;
  reply.body = SdkOk();
  reply.note =
      "docId=" + doc_id + " state=" + std::string(PullStateName(state));
  return reply;
}

}  // namespace docbus::agent::vdxp
