#include "tools/local/deployment.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>

#include "bus/core/files.h"
#include "bus/core/ids.h"
#include "tools/local/deployment_configs.h"

namespace docbus::local {
namespace fs = std::filesystem;
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr auto kStopGrace = std::chrono::seconds(15);

Result<std::string> ReadFile(const fs::path& path) {
  return ReadFileLimited(path, 1 << 20);
}

// Waits for a daemon's endpoints.json while it keeps running.
Result<nlohmann::json> WaitForEndpoints(const fs::path& file, DaemonProcess& proc) {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!proc.running()) {
      return Status(Code::kUnavailable, "daemon exited before it was ready");
    }
    if (auto text = ReadFile(file); text.ok() && !text->empty()) {
      auto json = nlohmann::json::parse(*text, nullptr, false);
      if (!json.is_discarded()) return json;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status(Code::kUnavailable, "timed out waiting for " + file.string());
}

// A loopback TCP port nothing listens on now, below Linux's ephemeral range
// (32768-60999) so that the kernel does not hand it to an outgoing
// connection or to another wildcard bind before the broker takes it again
// after a restart. Never one of `taken`, the ports already handed out to
// this deployment (nothing binds them yet); the one returned is added.
Result<int> PickFreePort(std::set<int>& taken) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    uint16_t r = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&r), sizeof r);
    const int port = 20000 + r % 12000;
    if (taken.contains(port)) continue;
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return Status(Code::kIoError, "socket() failed");
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool free =
        bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (free) {
      taken.insert(port);
      return port;
    }
  }
  return Status(Code::kUnavailable, "no free loopback port found");
}

std::string RandomSuffix() {
  unsigned char b[6];
  RAND_bytes(b, sizeof b);
  return Hex(std::string_view(reinterpret_cast<char*>(b), sizeof b));
}

}  // namespace

Deployment::Deployment(DeploymentOptions options) : options_(std::move(options)) {}

Deployment::~Deployment() {
  agents_.clear();
  brokers_.clear();
  if (temporary_) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

Result<std::unique_ptr<Deployment>> Deployment::Create(DeploymentOptions options) {
  if (options.brokers < 1 ||
      (options.brokers > 1 && options.store_backend != "postgresql")) {
    return Status(Code::kInvalidArgument,
                  "brokers = " + std::to_string(options.brokers) +
                      ": 1, or more sharing a PostgreSQL store (not " +
                      options.store_backend + ")");
  }
  std::unique_ptr<Deployment> d(new Deployment(std::move(options)));
  d->NameBrokers();
  if (d->options_.dir.empty()) {
    d->dir_ = fs::temp_directory_path() / ("docbus-local-" + RandomSuffix());
    d->temporary_ = true;
  } else {
    d->dir_ = d->options_.dir;
  }
  for (int i = 0; i < d->broker_count(); ++i) {
    fs::create_directories(d->broker_data(i));
  }
  // Fixed ports, never "*": a broker restarted on a wildcard port takes a
  // new one, and agents that know the old one never reach it again. Several
  // brokers get fixed HTTP ports too: a killed broker leaves its
  // endpoints.json behind, and a frozen one's must still be asked about.
  std::set<int> taken;
  for (int i = 0; i < d->broker_count(); ++i) {
    DOCBUS_ASSIGN_OR_RETURN(int port, PickFreePort(taken));
    d->broker(i).endpoint = "tcp://127.0.0.1:" + std::to_string(port);
    if (d->broker_count() > 1) {
      DOCBUS_ASSIGN_OR_RETURN(int http_port, PickFreePort(taken));
      d->broker(i).http_url = "http://127.0.0.1:" + std::to_string(http_port);
    }
  }
  std::string endpoints;
  for (int i = 0; i < d->broker_count(); ++i) {
    endpoints += (i > 0 ? "," : "") + d->broker(i).endpoint;
  }
  int code = 0;
  const std::string pki = "--dir '" + d->pki().string() + "'";
  std::vector<std::string> steps{"pki init " + pki, "pki broker " + pki};
  for (const auto& agency : d->options_.agencies) {
    fs::create_directories(d->agent_data(agency));
    if (!d->options_.onboard_by_request) {
      steps.push_back("pki issue " + pki + " --agency " + agency +
                      " --name 'Agency " + agency + "'");
      continue;
    }
    // The agency's side (`agent init`: its keys and its request), then the
    // operator's (`agency add`: the certificate from the request).
    const fs::path own = d->agency_keys(agency);
    fs::create_directories(own.parent_path());
    const auto token = d->options_.pkcs11_keys.find(agency);
    const std::string key =
        token == d->options_.pkcs11_keys.end()
            ? "--new-key"
            : "--key '" + token->second + "' --pkcs11-module '" +
                  d->options_.pkcs11_module + "'";
    steps.push_back("agent init --agency " + agency + " --dir '" +
                    own.string() + "' " + key + " --broker '" + endpoints +
                    "' --broker-public-key '" +
                    (d->pki() / "broker/curve.public").string() +
                    "' --root '" + (d->pki() / "root.pem").string() + "'");
    steps.push_back("agency add " + pki + " --request '" +
                    (own / "request.pem").string() + "' --name 'Agency " +
                    agency + "'");
  }
  steps.push_back("audit keygen --name " + std::string(kLocalLogOrigin) +
                  " --out '" + (d->pki() / "broker/log").string() + "'");
  for (const auto& step : steps) {
    auto out = d->RunDocbus(step, &code);
    if (!out.ok()) return out.status();
    if (code != 0) {
      return Status(Code::kFailedPrecondition, "docbus " + step + " failed");
    }
  }
  for (int i = 0; i < d->broker_count(); ++i) {
    DOCBUS_RETURN_IF_ERROR(d->WriteBrokerConfig(i));
  }
  return d;
}

void Deployment::NameBrokers() {
  brokers_.resize(std::max(options_.brokers, 1));
  for (size_t i = 0; i < brokers_.size(); ++i) {
    brokers_[i].name = i == 0 ? "broker" : "broker-" + std::to_string(i + 1);
  }
}

Deployment::BrokerSlot& Deployment::broker(int index) {
  if (index < 0 || index >= broker_count()) {
    std::cerr << "Deployment: no broker " << index << " (there are "
              << broker_count() << ")\n";
    std::abort();
  }
  return brokers_[static_cast<size_t>(index)];
}

const Deployment::BrokerSlot& Deployment::broker(int index) const {
  return const_cast<Deployment*>(this)->broker(index);
}

fs::path Deployment::broker_data(int index) const {
  return dir_ / "var" / broker(index).name;
}
fs::path Deployment::broker_log(int index) const {
  return dir_ / (broker(index).name + ".log");
}
const std::string& Deployment::broker_endpoint(int index) const {
  return broker(index).endpoint;
}

Result<std::unique_ptr<Deployment>> Deployment::Open(DeploymentOptions options) {
  if (options.dir.empty()) {
    return Status(Code::kInvalidArgument, "Deployment::Open needs a folder");
  }
  std::unique_ptr<Deployment> d(new Deployment(std::move(options)));
  d->NameBrokers();
  d->dir_ = d->options_.dir;
  d->opened_ = true;
  std::vector<fs::path> configs;
  for (const BrokerSlot& b : d->brokers_) {
    configs.push_back(d->dir_ / (b.name + ".toml"));
  }
  for (const auto& agency : d->options_.agencies) {
    configs.push_back(d->dir_ / ("agent-" + agency + ".toml"));
  }
  for (const fs::path& config : configs) {
    if (!fs::exists(config)) {
      return Status(Code::kNotFound, config.string() + " does not exist");
    }
  }
  return d;
}

Result<std::string> Deployment::RunDocbus(const std::string& args, int* exit_code) {
  const std::string cmd =
      "'" + (options_.build_dir / "tools/docbus").string() + "' " + args + " 2>>'" +
      (dir_ / "docbus-cli.log").string() + "'";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return Status(Code::kIoError, "cannot run " + cmd);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return out;
}

Status Deployment::WriteBrokerConfig(int index) {
  if (opened_) return Status::Ok();
  const BrokerSlot& b = broker(index);
  const std::string http =
      b.http_url.empty() ? "127.0.0.1:0"
                         : b.http_url.substr(std::string("http://").size());
  return WriteFileAtomically(
      dir_ / (b.name + ".toml"),
      BrokerConfigToml(options_, {b.endpoint, http, "var/" + b.name}));
}

Status Deployment::WriteAgentConfig(const std::string& agency) {
  if (opened_) return Status::Ok();
  std::string endpoints;
  for (const BrokerSlot& b : brokers_) {
    endpoints += (endpoints.empty() ? "" : ",") + b.endpoint;
  }
  return WriteFileAtomically(dir_ / ("agent-" + agency + ".toml"),
                             AgentConfigToml(options_, agency, endpoints));
}

Result<std::unique_ptr<DaemonProcess>> Deployment::Launch(
    const fs::path& exe, const fs::path& config, const fs::path& data_dir,
    const std::string& log_name, const Env& env) {
  std::error_code ec;
  fs::remove(data_dir / "endpoints.json", ec);
  fs::create_directories(data_dir);
  std::ofstream(dir_ / (log_name + ".log"), std::ios::app)
      << "---- start " << ++starts_ << "\n";
  DOCBUS_ASSIGN_OR_RETURN(
      auto proc, DaemonProcess::Start(exe, {"--config", config.string()},
                                      dir_ / (log_name + ".log"), env));
  auto ready = WaitForEndpoints(data_dir / "endpoints.json", *proc);
  if (!ready.ok()) {
    return Status(ready.status().code(),
                  log_name + ": " + ready.status().message() + " (see " +
                      (dir_ / (log_name + ".log")).string() + ")");
  }
  return proc;
}

Status Deployment::StartBroker(int index, const Env& env) {
  BrokerSlot& b = broker(index);
  b.paused = false;
  DOCBUS_ASSIGN_OR_RETURN(
      b.process,
      Launch(options_.build_dir / "bus/broker/docbus-broker",
             dir_ / (b.name + ".toml"), broker_data(index), b.name, env));
  DOCBUS_ASSIGN_OR_RETURN(std::string text,
                          ReadFile(broker_data(index) / "endpoints.json"));
  // A standby announces its configured endpoint, the active the one it
  // bound: the fixed one either way, unless the config came from elsewhere.
  const std::string zmq = nlohmann::json::parse(text).value("zmq", "");
  if (!zmq.empty()) b.endpoint = zmq;
  return Status::Ok();
}

Status Deployment::StartAgent(const std::string& agency, const Env& env) {
  DOCBUS_RETURN_IF_ERROR(WriteAgentConfig(agency));
  DOCBUS_ASSIGN_OR_RETURN(
      agents_[agency],
      Launch(options_.build_dir / "agents/docbus-agent",
             dir_ / ("agent-" + agency + ".toml"), agent_data(agency),
             "agent-" + agency, env));
  return Status::Ok();
}

Status Deployment::StartAll() {
  DOCBUS_RETURN_IF_ERROR(StartBroker(0));
  if (broker_count() > 1) {
    // Broker 0 takes the lease before the others start, so which one is
    // active does not depend on how the processes were scheduled.
    const bool active = WaitUntil(
        [&] {
          auto health = BrokerHealth(0);
          return health.ok() && health->status == 200;
        },
        kStartTimeout);
    if (!active) {
      return Status(Code::kUnavailable, "broker 0 did not become active (see " +
                                            broker_log(0).string() + ")");
    }
  }
  for (int i = 1; i < broker_count(); ++i) {
    DOCBUS_RETURN_IF_ERROR(StartBroker(i));
  }
  for (const auto& agency : options_.agencies) {
    DOCBUS_RETURN_IF_ERROR(StartAgent(agency));
  }
  return Status::Ok();
}

namespace {
Status Stop(std::unique_ptr<DaemonProcess>& proc, const std::string& name) {
  if (!proc) return Status::Ok();
  auto code = proc->Terminate(kStopGrace);
  proc.reset();
  if (!code.ok()) return code.status().Prefixed(name);
  if (*code != 0) {
    return Status(Code::kInternal, name + " exited with code " + std::to_string(*code));
  }
  return Status::Ok();
}
}  // namespace

Status Deployment::StopBroker(int index) {
  BrokerSlot& b = broker(index);
  b.paused = false;  // Terminate wakes a paused process
  return Stop(b.process, b.name);
}
Status Deployment::StopAgent(const std::string& agency) {
  return Stop(agents_[agency], "agent " + agency);
}

Status Deployment::StopAll() {
  Status first;
  for (auto& [agency, proc] : agents_) {
    Status s = Stop(proc, "agent " + agency);
    if (first.ok() && !s.ok()) first = s;
  }
  for (int i = 0; i < broker_count(); ++i) {
    Status s = StopBroker(i);
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

void Deployment::KillBroker(int index) {
  BrokerSlot& b = broker(index);
  if (b.process) b.process->Kill9();
  b.paused = false;
}
void Deployment::PauseBroker(int index) {
  BrokerSlot& b = broker(index);
  if (b.process && b.process->running()) {
    b.process->Signal(SIGSTOP);
    b.paused = true;
  }
}
void Deployment::ResumeBroker(int index) {
  BrokerSlot& b = broker(index);
  if (b.process && b.process->running()) b.process->Signal(SIGCONT);
  b.paused = false;
}
void Deployment::KillAgent(const std::string& agency) {
  if (agents_[agency]) agents_[agency]->Kill9();
}
bool Deployment::BrokerRunning(int index) {
  const BrokerSlot& b = broker(index);
  return b.process && b.process->running();
}
bool Deployment::AgentRunning(const std::string& agency) {
  return agents_[agency] && agents_[agency]->running();
}
bool Deployment::WaitBrokerExit(int index, std::chrono::milliseconds timeout) {
  BrokerSlot& b = broker(index);
  return !b.process || b.process->Wait(timeout).has_value();
}
bool Deployment::WaitAgentExit(const std::string& agency,
                               std::chrono::milliseconds timeout) {
  return !agents_[agency] || agents_[agency]->Wait(timeout).has_value();
}
pid_t Deployment::broker_pid(int index) const {
  const BrokerSlot& b = broker(index);
  return b.process ? b.process->pid() : 0;
}
pid_t Deployment::agent_pid(const std::string& agency) const {
  auto it = agents_.find(agency);
  return it == agents_.end() || !it->second ? 0 : it->second->pid();
}

bool Deployment::WaitUntil(const std::function<bool()>& done,
                           std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace docbus::local
