// SdkServer: the agent's listener for systems built on the national axis
// SDK (SDKVXP): the SDK's own calls, paths and headers (agents/vdxp/README.md
// describes the protocol as served), on loopback, so such a system connects
// by changing only its endpoint URL. Every request is authenticated first
// (sdk_auth.h: HMAC of the signed headers with the shared secret, the
// configured systemid); a refusal is the SDK's {"status": "FAIL",
// "ErrorCode", "ErrorDesc"} with HTTP 401 (authentication) or 4xx / 5xx,
// counted in docbus_agent_vdxp_refused_total{reason}, logged once without
// the secret or any envelope content, and changes nothing.
//
// Thread-safety: requests are served on the server's own threads; url()
// from any thread. The destructor stops the server and waits for requests
// in progress.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "agents/vdxp/edxml_packets.h"
#include "agents/vdxp/pull_queue.h"
#include "agents/vdxp/sdk_auth.h"
#include "bus/core/status.h"

namespace docbus::agent::vdxp {

struct SdkServerOptions {
  // "<host>:<port>" on loopback (127.0.0.1, localhost or [::1]).
  std::string listen = "127.0.0.1:0";
  SdkCredentials credentials;
  // Larger requests are refused (413) without being read.
  size_t max_body_bytes = size_t{96} << 20;
};

class SdkServer {
 public:
  virtual ~SdkServer() = default;
  // "http://127.0.0.1:<port>": the SDK's endpoint, written to endpoints.json
  // as "vdxp".
  virtual const std::string& url() const = 0;
};

// Binds and starts serving. kInvalidArgument for a listen address off
// loopback, an empty system id or secret; kUnavailable when the address
// cannot be bound. `queue` and `packets` must outlive the server.
Result<std::unique_ptr<SdkServer>> StartSdkServer(
    PullQueue& queue, EdxmlPackets& packets, const SdkServerOptions& options);

}  // namespace docbus::agent::vdxp
