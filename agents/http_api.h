// HttpApi: the agent's loopback HTTP/JSON API for the agency's own systems
// (documented in agents/API.md). Every /v1/ route needs
// `Authorization: Bearer <token>` (401 otherwise); /metrics and /healthz do
// not. /healthz answers 503 with the reason while the agent has been without
// its broker for longer than broker.offline_after_ms. Bad input is answered 400/404/413 with {"error": <code name>,
// "detail": <message naming the field>}, counted in
// docbus_agent_api_refused_total{reason}, logged once, and never reaches the
// agent.
//
// Thread-safety: requests are served on the server's own threads and call the
// thread-safe AgentService; url() may be read from any thread. The
// destructor stops the server and waits for requests in progress.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "agents/agent_service.h"
#include "agents/broker_audit_status.h"
#include "agents/broker_connectivity.h"
#include "agents/json_codec.h"
#include "bus/core/clock.h"
#include "bus/core/status.h"

namespace docbus::agent {

namespace vdxp {
class PullQueue;
}

struct HttpApiOptions {
  // "<host>:<port>" on loopback (127.0.0.1, localhost or [::1]); port 0
  // takes any free port.
  std::string listen = "127.0.0.1:0";
  // The bearer token callers must send; must not be empty.
  std::string token;
  // Larger request bodies are answered 413 without being read.
  size_t max_body_bytes = size_t{96} << 20;
  // A POST whose connection waited longer than this for a server thread is
  // answered 503 with Retry-After (agents/api_admission.h); 0: never.
  std::chrono::milliseconds max_queue_wait{1000};
  // Field limits for submitted documents.
  JsonLimits limits;
  // Turns expires_in_s into an absolute time; nullptr = the system clock.
  const Clock* clock = nullptr;
  // The agent's session with the broker: while it is offline /healthz
  // answers 503 with the reason, and a pending document says why it is
  // pending. nullptr: always healthy. Must outlive the HttpApi.
  const BrokerConnectivity* connectivity = nullptr;
  // The broker's checkpoints as the agent judged them, for GET /v1/audit;
  // nullptr: that route answers 503. Must outlive the HttpApi.
  const BrokerAuditStatus* broker_audit = nullptr;
  // The pull state behind /v1/pull (agents/vdxp/pull_routes.h); nullptr:
  // those routes answer 503. Must outlive the HttpApi.
  vdxp::PullQueue* pull = nullptr;
};

class HttpApi {
 public:
  virtual ~HttpApi() = default;
  // "http://127.0.0.1:<port>", the base URL written to endpoints.json.
  virtual const std::string& url() const = 0;
};

// One route of the API as the server matches it: the method, the path
// pattern (a regex; each ([^/]+) is one path parameter) and the name used in
// the docbus_agent_api_requests_total{route} label.
struct ApiRoute {
  const char* method;
  const char* pattern;
  const char* name;
};

// Every route the API serves, /metrics and /healthz included.
std::span<const ApiRoute> HttpApiRoutes();

// Binds the listener (so url() answers as soon as this returns) and starts
// serving. kInvalidArgument for a bad listen address or an empty token;
// kUnavailable when the address cannot be bound. `service` must outlive the
// returned HttpApi.
Result<std::unique_ptr<HttpApi>> StartHttpApi(AgentService& service,
                                              const HttpApiOptions& options);

}  // namespace docbus::agent
