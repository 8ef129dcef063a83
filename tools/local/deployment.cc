#include "tools/local/deployment.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "bus/core/files.h"
#include "bus/core/ids.h"
#include "tools/agent_client.h"

namespace docbus::local {
namespace fs = std::filesystem;
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr auto kStopGrace = std::chrono::seconds(15);
const char kOrigin[] = "docbus.gov.vn/axis/test";

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
// after a restart.
Result<int> PickFreePort() {
  for (int attempt = 0; attempt < 200; ++attempt) {
    uint16_t r = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&r), sizeof r);
    const int port = 20000 + r % 12000;
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
    if (free) return port;
  }
  return Status(Code::kUnavailable, "no free loopback port found");
}

std::string RandomSuffix() {
  unsigned char b[6];
  RAND_bytes(b, sizeof b);
  return Hex(std::string_view(reinterpret_cast<char*>(b), sizeof b));
}

Result<nlohmann::json> ParseAnswer(const httplib::Result& res,
                                   const std::string& what) {
  if (!res) {
    return Status(Code::kUnavailable,
                  what + ": " + httplib::to_string(res.error()));
  }
  auto json = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status >= 300 || json.is_discarded()) {
    return Status(Code::kFailedPrecondition,
                  what + ": HTTP " + std::to_string(res->status) + " " +
                      res->body.substr(0, 400));
  }
  return json;
}

}  // namespace

Deployment::Deployment(DeploymentOptions options) : options_(std::move(options)) {}

Deployment::~Deployment() {
  agents_.clear();
  broker_.reset();
  if (temporary_) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

Result<std::unique_ptr<Deployment>> Deployment::Create(DeploymentOptions options) {
  std::unique_ptr<Deployment> d(new Deployment(std::move(options)));
  if (d->options_.dir.empty()) {
    d->dir_ = fs::temp_directory_path() / ("docbus-local-" + RandomSuffix());
    d->temporary_ = true;
  } else {
    d->dir_ = d->options_.dir;
  }
  fs::create_directories(d->dir_ / "var/broker");
  int code = 0;
  const std::string pki = "--dir '" + d->pki().string() + "'";
  std::vector<std::string> steps{"pki init " + pki, "pki broker " + pki};
  for (const auto& agency : d->options_.agencies) {
    steps.push_back("pki issue " + pki + " --agency " + agency +
                    " --name 'Agency " + agency + "'");
    fs::create_directories(d->agent_data(agency));
  }
  steps.push_back("audit keygen --name " + std::string(kOrigin) + " --out '" +
                  (d->pki() / "broker/log").string() + "'");
  for (const auto& step : steps) {
    auto out = d->RunDocbus(step, &code);
    if (!out.ok()) return out.status();
    if (code != 0) {
      return Status(Code::kFailedPrecondition, "docbus " + step + " failed");
    }
  }
  // A fixed port, never "*": a broker restarted on a wildcard port takes a
  // new one, and agents that know the old one never reach it again.
  DOCBUS_ASSIGN_OR_RETURN(int port, PickFreePort());
  d->broker_endpoint_ = "tcp://127.0.0.1:" + std::to_string(port);
  DOCBUS_RETURN_IF_ERROR(d->WriteBrokerConfig(d->broker_endpoint_));
  return d;
}

Result<std::unique_ptr<Deployment>> Deployment::Open(DeploymentOptions options) {
  if (options.dir.empty()) {
    return Status(Code::kInvalidArgument, "Deployment::Open needs a folder");
  }
  std::unique_ptr<Deployment> d(new Deployment(std::move(options)));
  d->dir_ = d->options_.dir;
  d->opened_ = true;
  std::vector<fs::path> configs{d->dir_ / "broker.toml"};
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

namespace {
// A TOML basic string's content: backslashes and quotes escaped (a DSN may
// hold a quoted password or a path).
std::string TomlEscaped(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\\' || ch == '"') out += '\\';
    out += ch;
  }
  return out;
}
}  // namespace

std::string Deployment::LimitsSection() const {
  if (options_.max_attachment_bytes <= 0) return "";
  return "[limits]\nmax_attachment_bytes = " +
         std::to_string(options_.max_attachment_bytes) +
         "\nmax_document_bytes = " +
         std::to_string(options_.max_attachment_bytes + (1 << 20)) + "\n";
}

Status Deployment::WriteBrokerConfig(const std::string& listen) {
  if (opened_) return Status::Ok();
  std::ostringstream c;
  c << "[broker]\nlisten = \"" << listen << "\"\ndata_dir = \"var/broker\"\n"
    << "curve_secret_key = \"pki/broker/curve.secret\"\n"
    << "[pki]\nroot_certificate = \"pki/root.pem\"\ncrl = \"pki/crl.pem\"\n"
    << "registry = \"pki/registry.toml\"\n"
    << "[audit]\norigin = \"" << kOrigin << "\"\nlog_key = \"pki/broker/log.key\"\n"
    << "checkpoint_interval_ms = " << options_.checkpoint_interval_ms << "\n"
    << "[delivery]\ndefault_expiry_s = " << options_.default_expiry_s
    << "\nretransmit_ms = " << options_.retransmit_ms << "\n"
    << "[http]\nlisten = \"127.0.0.1:0\"\n[log]\nlevel = \"" << options_.log_level
    << "\"\n";
  c << LimitsSection();
  if (options_.store_backend != "sqlite" || !options_.store_dsn.empty()) {
    c << "[store]\nbackend = \"" << TomlEscaped(options_.store_backend)
      << "\"\ndsn = \"" << TomlEscaped(options_.store_dsn) << "\"\n";
  }
  return WriteFileAtomically(dir_ / "broker.toml", c.str());
}

Status Deployment::WriteAgentConfig(const std::string& agency) {
  if (opened_) return Status::Ok();
  const std::string keys = "pki/agencies/" + agency + "/";
  std::ostringstream c;
  c << "[agent]\nagency_id = \"" << agency << "\"\ndata_dir = \"var/" << agency
    << "\"\n[broker]\nendpoint = \"" << broker_endpoint_ << "\"\n"
    << "public_key = \"pki/broker/curve.public\"\n";
  if (options_.offline_after_ms > 0) {
    c << "offline_after_ms = " << options_.offline_after_ms << "\n";
  }
  c << "[keys]\ncurve_public_key = \"" << keys << "curve.public\"\n"
    << "curve_secret_key = \"" << keys << "curve.secret\"\n"
    << "signing_key = \"" << keys << "key.pem\"\n"
    << "certificate = \"" << keys << "cert.pem\"\n"
    << "[pki]\nroot_certificate = \"pki/root.pem\"\ncrl = \"pki/crl.pem\"\n"
    << "registry = \"pki/registry.toml\"\n"
    << "[audit]\nbroker_log_vkey = \"pki/broker/log.vkey\"\n"
    << "[http]\nlisten = \"127.0.0.1:0\"\n[log]\nlevel = \"" << options_.log_level
    << "\"\n"
    << LimitsSection();
  return WriteFileAtomically(dir_ / ("agent-" + agency + ".toml"), c.str());
}

Result<std::unique_ptr<DaemonProcess>> Deployment::Launch(
    const fs::path& exe, const fs::path& config, const fs::path& data_dir,
    const std::string& log_name, const std::map<std::string, std::string>& env) {
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

Status Deployment::StartBroker(const std::map<std::string, std::string>& env) {
  DOCBUS_ASSIGN_OR_RETURN(
      broker_, Launch(options_.build_dir / "bus/broker/docbus-broker",
                      dir_ / "broker.toml", broker_data(), "broker", env));
  DOCBUS_ASSIGN_OR_RETURN(std::string text,
                          ReadFile(broker_data() / "endpoints.json"));
  broker_endpoint_ = nlohmann::json::parse(text).value("zmq", "");
  return Status::Ok();
}

Status Deployment::StartAgent(const std::string& agency,
                              const std::map<std::string, std::string>& env) {
  DOCBUS_RETURN_IF_ERROR(WriteAgentConfig(agency));
  DOCBUS_ASSIGN_OR_RETURN(
      agents_[agency],
      Launch(options_.build_dir / "agents/docbus-agent",
             dir_ / ("agent-" + agency + ".toml"), agent_data(agency),
             "agent-" + agency, env));
  return Status::Ok();
}

Status Deployment::StartAll() {
  DOCBUS_RETURN_IF_ERROR(StartBroker());
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

Status Deployment::StopBroker() { return Stop(broker_, "broker"); }
Status Deployment::StopAgent(const std::string& agency) {
  return Stop(agents_[agency], "agent " + agency);
}

Status Deployment::StopAll() {
  Status first;
  for (auto& [agency, proc] : agents_) {
    Status s = Stop(proc, "agent " + agency);
    if (first.ok() && !s.ok()) first = s;
  }
  Status s = StopBroker();
  return first.ok() ? s : first;
}

void Deployment::KillBroker() {
  if (broker_) broker_->Kill9();
}
void Deployment::KillAgent(const std::string& agency) {
  if (agents_[agency]) agents_[agency]->Kill9();
}
bool Deployment::BrokerRunning() { return broker_ && broker_->running(); }
bool Deployment::AgentRunning(const std::string& agency) {
  return agents_[agency] && agents_[agency]->running();
}
bool Deployment::WaitBrokerExit(std::chrono::milliseconds timeout) {
  return !broker_ || broker_->Wait(timeout).has_value();
}
bool Deployment::WaitAgentExit(const std::string& agency,
                               std::chrono::milliseconds timeout) {
  return !agents_[agency] || agents_[agency]->Wait(timeout).has_value();
}
pid_t Deployment::broker_pid() const { return broker_ ? broker_->pid() : 0; }
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

Result<nlohmann::json> Deployment::Get(const std::string& agency,
                                       const std::string& path) {
  DOCBUS_ASSIGN_OR_RETURN(auto client, agent_cli::AgentClient::Find(agent_data(agency)));
  return client.Get(path);
}

Result<nlohmann::json> Deployment::Post(const std::string& agency,
                                        const std::string& path,
                                        const nlohmann::json& body) {
  DOCBUS_ASSIGN_OR_RETURN(auto client, agent_cli::AgentClient::Find(agent_data(agency)));
  return client.Post(path, body);
}

Result<std::string> Deployment::Send(const std::string& from,
                                     const nlohmann::json& document) {
  DOCBUS_ASSIGN_OR_RETURN(nlohmann::json answer,
                          Post(from, "/v1/documents", document));
  return answer.value("message_id", "");
}

namespace {
// The broker's HTTP URL, from the endpoints.json of the running broker.
Result<std::string> BrokerHttpUrl(const fs::path& broker_data) {
  DOCBUS_ASSIGN_OR_RETURN(std::string endpoints,
                          ReadFile(broker_data / "endpoints.json"));
  return nlohmann::json::parse(endpoints).value("http", "");
}
}  // namespace

Result<nlohmann::json> Deployment::BrokerStatus() {
  DOCBUS_ASSIGN_OR_RETURN(std::string url, BrokerHttpUrl(broker_data()));
  httplib::Client client(url);
  return ParseAnswer(client.Get("/v1/status"), "GET /v1/status");
}

Result<HttpAnswer> Deployment::AgentHttp(const std::string& agency,
                                         const std::string& path) {
  DOCBUS_ASSIGN_OR_RETURN(auto client,
                          agent_cli::AgentClient::Find(agent_data(agency)));
  httplib::Client http(client.url());
  auto res = http.Get(path);
  if (!res) {
    return Status(Code::kUnavailable,
                  "GET " + path + ": " + httplib::to_string(res.error()));
  }
  return HttpAnswer{res->status, res->body};
}

Result<std::string> Deployment::BrokerMetrics() {
  DOCBUS_ASSIGN_OR_RETURN(std::string url, BrokerHttpUrl(broker_data()));
  httplib::Client client(url);
  auto res = client.Get("/metrics");
  if (!res || res->status != 200) {
    return Status(Code::kUnavailable, "GET /metrics failed");
  }
  return res->body;
}

}  // namespace docbus::local
