// SdkCalls: the national axis SDK's calls (reference §10) as the agent
// answers them, once the request is authenticated (sdk_auth.h): each takes
// the signed parameters (and, for sendEdoc, the request body) and returns
// the SDK's JSON answer {"status": "OK", "ErrorCode": "0", "ErrorDesc":
// "Success", ...}, or a Status the server turns into the SDK's refusal
// {"status": "FAIL", "ErrorCode": <reason>, "ErrorDesc": <why>}. Which
// docbus call each maps to is in agents/API.md.
//
// Thread-safety: every call may be made from any thread (the queue, the
// service and the packets are thread-safe).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "agents/vdxp/edxml_packets.h"
#include "agents/vdxp/pull_queue.h"
#include "agents/vdxp/sdk_auth.h"

namespace docbus::agent::vdxp {

struct SdkReply {
  nlohmann::json body;  // the JSON answer, unless `raw` is set
  std::string raw;      // downloadEdoc: the edXML itself
  bool is_raw = false;
  // For the log line: never contents.
  std::string note;
};

class SdkCalls {
 public:
  // Both must outlive the calls.
  SdkCalls(PullQueue& queue, EdxmlPackets& packets)
      : queue_(queue), packets_(packets) {}

  // The call named by the request path ("sendEdoc", ...); kNotFound for a
  // name the SDK does not have.
  Result<SdkReply> Serve(std::string_view call, const SdkParams& params,
                         std::string_view body);

 private:
  Result<SdkReply> SendEdoc(const SdkParams& params, std::string_view body);
  Result<SdkReply> ReceivedList(const SdkParams& params);
  Result<SdkReply> SentList(const SdkParams& params);
  Result<SdkReply> GetEdoc(const SdkParams& params, bool raw);
  Result<SdkReply> Count(PacketKind kind);
  Result<SdkReply> UpdateStatus(const SdkParams& params);
  // The received packet docId names, as edXML.
  Result<std::string> Export(const SdkParams& params);

  PullQueue& queue_;
  EdxmlPackets& packets_;
};

// The SDK's success answer, to which a call adds its fields.
nlohmann::json SdkOk();
// The SDK's refusal for `status`.
nlohmann::json SdkFail(const Status& status);
// The packet kind of a messagetype parameter ("" means edoc).
Result<PacketKind> ParseMessageType(std::string_view text);

}  // namespace docbus::agent::vdxp
