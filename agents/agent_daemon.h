// AgentDaemon: the whole agent process minus main(): the Agent (store,
// protocol loop), its loopback HTTP API and its drop folder. On start it
// makes sure <data_dir>/api.token exists (a random bearer token, mode 0600,
// created on first start and kept), starts the HTTP API with it, starts the
// drop folder, the pull state (<data_dir>/vdxp.db, behind /v1/pull) and,
// when [vdxp] is configured, the national axis SDK endpoint (agents/vdxp),
// and then writes <data_dir>/endpoints.json {"http": <url>, "vdxp": <url>}
// atomically. Stop removes endpoints.json and stops everything in reverse.
//
// Thread-safety: Start/Stop from one thread; agent() is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "agents/agent.h"
#include "agents/agent_config.h"
#include "bus/core/clock.h"

namespace docbus::agent {

class HttpApi;
class DropFolder;
namespace vdxp {
class EdxmlPackets;
class PullQueue;
class SdkServer;
}  // namespace vdxp

class AgentDaemon {
 public:
  // Errors of Agent::Start, of the token file (kIoError), and of the front
  // ends (kUnavailable when http.listen cannot be bound).
  static Result<std::unique_ptr<AgentDaemon>> Start(
      const DaemonOptions& options, const Clock& clock);
  ~AgentDaemon();
  // Idempotent.
  void Stop();

  Agent& agent() { return *agent_; }
  // The HTTP API's base URL ("" when built without the front ends).
  const std::string& http_url() const { return http_url_; }
  // The SDK endpoint's URL ("" when [vdxp] is not configured).
  const std::string& vdxp_url() const { return vdxp_url_; }

  // Reads <data_dir>/api.token, creating it (0600) with a fresh random token
  // when missing.
  static Result<std::string> EnsureApiToken(
      const std::filesystem::path& data_dir);

 private:
  AgentDaemon() = default;

  DaemonOptions options_;
  std::unique_ptr<Agent> agent_;
  std::unique_ptr<vdxp::PullQueue> pull_;
  std::unique_ptr<vdxp::EdxmlPackets> packets_;
  std::unique_ptr<vdxp::SdkServer> sdk_;
  std::unique_ptr<HttpApi> http_;
  std::unique_ptr<DropFolder> drop_;
  std::string http_url_;
  std::string vdxp_url_;
  bool stopped_ = false;
};

}  // namespace docbus::agent
