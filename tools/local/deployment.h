// A local docbus deployment on this machine: a test national PKI, one broker
// and one agent per agency, each a real process with its own data folder,
// all on loopback. The broker's port is picked free once, when the
// deployment is made, and written into broker.toml and every agent's config,
// so a restarted broker binds the port its agents know (the HTTP ports are
// the kernel's, announced in each endpoints.json). Used by the end-to-end and
// crash tests and by the benchmark; it drives the agents only through what
// agency systems use (the agent's HTTP API) and the daemons only through
// what operators use (signals, config files, endpoints.json). Not
// thread-safe: one owner.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bus/core/status.h"
#include "tools/local/daemon_process.h"

namespace docbus::local {

struct DeploymentOptions {
  std::vector<std::string> agencies;   // QCVN 102 ids, e.g. 000.00.00.G22
  std::filesystem::path build_dir;     // where docbus, docbus-broker, docbus-agent were built
  std::filesystem::path dir;           // empty: a fresh temporary folder, removed at the end
  int checkpoint_interval_ms = 200;
  int retransmit_ms = 1000;
  int default_expiry_s = 7 * 24 * 3600;
  std::string log_level = "info";
  // The agents' broker.offline_after_ms; 0: not written (the default).
  int offline_after_ms = 0;
  // The broker's [store]: "sqlite" (the default, not written) or
  // "postgresql" with a libpq connection string in store_dsn.
  std::string store_backend = "sqlite";
  std::string store_dsn;
  // limits.max_attachment_bytes of the broker and the agents (and a
  // max_document_bytes 1 MiB above it); 0: their defaults.
  int64_t max_attachment_bytes = 0;
};

// An answer of a daemon's HTTP listener, as is.
struct HttpAnswer {
  int status = 0;
  std::string body;
};

class Deployment {
 public:
  // Makes the PKI (docbus pki), the broker's log key and every config file.
  static Result<std::unique_ptr<Deployment>> Create(DeploymentOptions options);
  // Takes over a deployment folder made elsewhere (tools/quickstart.sh
  // --setup-only): its PKI and its config files, broker.toml and
  // agent-<agency>.toml, are used as they are and never rewritten.
  // options.dir is required; kNotFound when a config file is missing.
  static Result<std::unique_ptr<Deployment>> Open(DeploymentOptions options);
  ~Deployment();  // kills what still runs; removes a temporary folder

  // Starts the broker (env: extra environment, e.g. DOCBUS_CRASH_AT) and waits
  // for its endpoints.json. It binds the port fixed in broker.toml.
  Status StartBroker(const std::map<std::string, std::string>& env = {});
  Status StartAgent(const std::string& agency,
                    const std::map<std::string, std::string>& env = {});
  Status StartAll();
  // SIGTERM, then SIGKILL after the grace period. Ok when it exited 0.
  Status StopBroker();
  Status StopAgent(const std::string& agency);
  Status StopAll();
  void KillBroker();                       // kill -9
  void KillAgent(const std::string& agency);
  // Waits for a process that is expected to die (e.g. at a crash point).
  bool WaitBrokerExit(std::chrono::milliseconds timeout);
  bool WaitAgentExit(const std::string& agency, std::chrono::milliseconds timeout);
  bool BrokerRunning();
  bool AgentRunning(const std::string& agency);

  // The agent's HTTP API. Bodies and answers are JSON (agents/API.md).
  Result<nlohmann::json> Get(const std::string& agency, const std::string& path);
  Result<nlohmann::json> Post(const std::string& agency, const std::string& path,
                              const nlohmann::json& body);
  // POST /v1/documents; the message id.
  Result<std::string> Send(const std::string& from, const nlohmann::json& document);
  Result<nlohmann::json> BrokerStatus();
  Result<std::string> BrokerMetrics();
  // GET <path> on an agent's HTTP API without a token (/metrics, /healthz).
  Result<HttpAnswer> AgentHttp(const std::string& agency,
                               const std::string& path);

  // Polls `done` every 20 ms until it is true or the timeout passes.
  static bool WaitUntil(const std::function<bool()>& done,
                        std::chrono::milliseconds timeout);

  // Runs the docbus CLI; returns its stdout, sets *exit_code.
  Result<std::string> RunDocbus(const std::string& args, int* exit_code);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path broker_data() const { return dir_ / "var/broker"; }
  std::filesystem::path agent_data(const std::string& agency) const {
    return dir_ / "var" / agency;
  }
  std::filesystem::path pki() const { return dir_ / "pki"; }
  const std::string& broker_endpoint() const { return broker_endpoint_; }
  pid_t broker_pid() const;
  pid_t agent_pid(const std::string& agency) const;

 private:
  explicit Deployment(DeploymentOptions options);
  // The [limits] section both daemons get, or "" for their defaults.
  std::string LimitsSection() const;
  Status WriteBrokerConfig(const std::string& listen);
  Status WriteAgentConfig(const std::string& agency);
  Result<std::unique_ptr<DaemonProcess>> Launch(
      const std::filesystem::path& exe, const std::filesystem::path& config,
      const std::filesystem::path& data_dir, const std::string& log_name,
      const std::map<std::string, std::string>& env);

  DeploymentOptions options_;
  std::filesystem::path dir_;
  bool temporary_ = false;
  bool opened_ = false;  // config files made elsewhere: never rewritten
  std::string broker_endpoint_;
  std::unique_ptr<DaemonProcess> broker_;
  std::map<std::string, std::unique_ptr<DaemonProcess>> agents_;
  int starts_ = 0;
};

}  // namespace docbus::local
