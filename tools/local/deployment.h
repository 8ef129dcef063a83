// A local docbus deployment on this machine: a test national PKI, one broker
// (or several on one PostgreSQL database, DeploymentOptions::brokers) and one
// agent per agency, each a real process with its own data folder, all on
// loopback. The brokers' ports are picked free once, when the deployment is
// made, and written into each broker's config and every agent's config (all
// brokers' endpoints, comma-separated), so a restarted broker binds the port
// its agents know. A single broker's HTTP port and the agents' are the
// kernel's, announced in each endpoints.json; with several brokers each HTTP
// port is fixed too, so a dead or frozen broker can still be asked about.
// Broker i (0-based) is the first broker for the calls without an index. Used
// by the end-to-end and crash tests and by the benchmark; it drives the agents
// only through what agency systems use (the agent's HTTP API) and the daemons
// only through what operators use (signals, config files, endpoints.json). Not
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
#include "tools/local/deployment_options.h"

namespace docbus::local {

// An answer of a daemon's HTTP listener, as is.
struct HttpAnswer {
  int status = 0;
  std::string body;
};

class Deployment {
 public:
  using Env = std::map<std::string, std::string>;

  // Makes the PKI (docbus pki), the broker's log key and every config file.
  // kInvalidArgument for several brokers on a store other than PostgreSQL.
  static Result<std::unique_ptr<Deployment>> Create(DeploymentOptions options);
  // Takes over a deployment folder made elsewhere (tools/quickstart.sh
  // --setup-only): its PKI and its config files, broker.toml (broker-2.toml
  // ... for more brokers) and agent-<agency>.toml, are used as they are and
  // never rewritten. options.dir is required; kNotFound when a config file
  // is missing.
  static Result<std::unique_ptr<Deployment>> Open(DeploymentOptions options);
  ~Deployment();  // kills what still runs; removes a temporary folder

  // Starts broker `index` (env: extra environment, e.g. DOCBUS_CRASH_AT) and
  // waits for its endpoints.json, which a standby writes too (with "http"
  // only): it does not wait for the ZeroMQ port, which only the active
  // binds. It binds the ports fixed in its config. kUnavailable when it
  // exits or writes no endpoints.json within 30 s.
  Status StartBroker(int index, const Env& env = {});
  Status StartBroker(const Env& env = {}) { return StartBroker(0, env); }
  Status StartAgent(const std::string& agency, const Env& env = {});
  // Every broker, then every agent. With several brokers, broker 0 is
  // started first and waited for until it is active (kUnavailable after
  // 30 s), so it is the active one and the others are standbys.
  Status StartAll();
  // SIGTERM (and SIGCONT, should it be paused), then SIGKILL after the grace
  // period. Ok when it exited 0 (or was not running).
  Status StopBroker(int index);
  Status StopBroker() { return StopBroker(0); }
  Status StopAgent(const std::string& agency);
  Status StopAll();
  void KillBroker(int index);  // kill -9, and reaps it
  void KillBroker() { KillBroker(0); }
  void KillAgent(const std::string& agency);
  // SIGSTOP / SIGCONT: a frozen broker keeps its sockets and its database
  // sessions open but answers nothing.
  void PauseBroker(int index);
  void ResumeBroker(int index);
  // Waits for a process that is expected to die (e.g. at a crash point).
  bool WaitBrokerExit(int index, std::chrono::milliseconds timeout);
  bool WaitBrokerExit(std::chrono::milliseconds timeout) {
    return WaitBrokerExit(0, timeout);
  }
  bool WaitAgentExit(const std::string& agency, std::chrono::milliseconds timeout);
  // Started and not exited (a paused broker is running).
  bool BrokerRunning(int index);
  bool BrokerRunning() { return BrokerRunning(0); }
  bool AgentRunning(const std::string& agency);

  // The agent's HTTP API. Bodies and answers are JSON (agents/API.md).
  Result<nlohmann::json> Get(const std::string& agency, const std::string& path);
  Result<nlohmann::json> Post(const std::string& agency, const std::string& path,
                              const nlohmann::json& body);
  // POST /v1/documents; the message id.
  Result<std::string> Send(const std::string& from, const nlohmann::json& document);
  // GET /v1/status of broker `index` (a standby answers it too, with its
  // "role"); kUnavailable when it does not answer within a few seconds.
  Result<nlohmann::json> BrokerStatus(int index);
  Result<nlohmann::json> BrokerStatus() { return BrokerStatus(0); }
  Result<std::string> BrokerMetrics(int index);
  Result<std::string> BrokerMetrics() { return BrokerMetrics(0); }
  // Broker `index`'s HTTP URL (http://host:port): fixed, or from its
  // endpoints.json.
  Result<std::string> BrokerHttpUrl(int index) const;
  // GET /healthz of broker `index` as is: 200 on the active broker, 503 with
  // body "standby" on a standby. kUnavailable when it does not answer within
  // a second (not running, paused, not listening yet).
  Result<HttpAnswer> BrokerHealth(int index);
  // The index of the broker whose /healthz answers 200; -1 when none does, or
  // when more than one does (two actives are no answer). Brokers that are
  // not running or are paused are not asked.
  int ActiveBroker();
  // GET <path> on an agent's HTTP API without a token (/metrics, /healthz).
  Result<HttpAnswer> AgentHttp(const std::string& agency,
                               const std::string& path);

  // Polls `done` every 20 ms until it is true or the timeout passes.
  static bool WaitUntil(const std::function<bool()>& done,
                        std::chrono::milliseconds timeout);

  // Runs the docbus CLI; returns its stdout, sets *exit_code.
  Result<std::string> RunDocbus(const std::string& args, int* exit_code);

  const std::filesystem::path& dir() const { return dir_; }
  int broker_count() const { return static_cast<int>(brokers_.size()); }
  // var/broker for broker 0, var/broker-2, var/broker-3 ... for the others.
  std::filesystem::path broker_data(int index = 0) const;
  // broker.log, broker-2.log ...: the broker's stderr, a "---- start N" line
  // before each start.
  std::filesystem::path broker_log(int index = 0) const;
  std::filesystem::path agent_data(const std::string& agency) const {
    return dir_ / "var" / agency;
  }
  std::filesystem::path pki() const { return dir_ / "pki"; }
  // With DeploymentOptions::onboard_by_request: the agency's own keys and
  // request, outside the PKI folder.
  std::filesystem::path agency_keys(const std::string& agency) const {
    return dir_ / "agency" / agency;
  }
  // The ZeroMQ endpoint of broker `index` ("tcp://127.0.0.1:<port>").
  const std::string& broker_endpoint(int index = 0) const;
  pid_t broker_pid(int index = 0) const;
  pid_t agent_pid(const std::string& agency) const;

 private:
  // One broker process and where it lives.
  struct BrokerSlot {
    std::string name;  // "broker", "broker-2", ...: config, log, data folder
    std::string endpoint;  // ZeroMQ
    std::string http_url;  // "" when the HTTP port is the kernel's
    std::unique_ptr<DaemonProcess> process;
    bool paused = false;
  };

  explicit Deployment(DeploymentOptions options);
  void NameBrokers();
  Status WriteBrokerConfig(int index);
  Status WriteAgentConfig(const std::string& agency);
  Result<std::unique_ptr<DaemonProcess>> Launch(
      const std::filesystem::path& exe, const std::filesystem::path& config,
      const std::filesystem::path& data_dir, const std::string& log_name,
      const Env& env);
  BrokerSlot& broker(int index);
  const BrokerSlot& broker(int index) const;

  DeploymentOptions options_;
  std::filesystem::path dir_;
  bool temporary_ = false;
  bool opened_ = false;  // config files made elsewhere: never rewritten
  std::vector<BrokerSlot> brokers_;
  std::map<std::string, std::unique_ptr<DaemonProcess>> agents_;
  int starts_ = 0;
};

}  // namespace docbus::local
