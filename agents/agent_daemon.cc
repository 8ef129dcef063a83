#include "agents/agent_daemon.h"

#include <openssl/rand.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "bus/core/files.h"
#include "bus/core/ids.h"
#include "bus/core/log.h"

#include "agents/drop_folder.h"
#include "agents/http_api.h"
#include "agents/vdxp/edxml_packets.h"
#include "agents/vdxp/pull_queue.h"
#include "agents/vdxp/sdk_server.h"

namespace docbus::agent {
namespace {

constexpr auto kDropScanInterval = std::chrono::milliseconds(500);
// api.token holds 64 hex digits.
constexpr uint64_t kMaxTokenFile = 1 << 20;

}  // namespace

Result<std::string> AgentDaemon::EnsureApiToken(
    const std::filesystem::path& data_dir) {
  const std::filesystem::path file = data_dir / "api.token";
  Result<std::string> existing = ReadFileLimited(file, kMaxTokenFile);
  if (existing.ok()) {
    std::string token = *existing;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
      token.pop_back();
    if (!token.empty()) return token;
  } else if (existing.status().code() != Code::kNotFound) {
    return existing.status();
  }
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof(raw)) != 1) {
    return Status(Code::kInternal, "no randomness for the API token");
  }
  std::string token =
      Hex(std::string_view(reinterpret_cast<char*>(raw), sizeof(raw)));
  DOCBUS_RETURN_IF_ERROR(WriteFileAtomically(file, token + "\n", 0600));
  return token;
}

Result<std::unique_ptr<AgentDaemon>> AgentDaemon::Start(
    const DaemonOptions& options, const Clock& clock) {
  std::unique_ptr<AgentDaemon> daemon(new AgentDaemon());
  daemon->options_ = options;
  DOCBUS_ASSIGN_OR_RETURN(daemon->agent_, Agent::Start(options.agent, clock));
  const std::filesystem::path& data_dir = options.agent.data_dir;
  DOCBUS_ASSIGN_OR_RETURN(std::string token, EnsureApiToken(data_dir));
  const AgentLimits& limits = options.agent.limits;
  JsonLimits json;
  json.max_subject_bytes = static_cast<size_t>(limits.max_subject_bytes);
  json.max_attachments = static_cast<size_t>(limits.max_attachments);
  json.max_attachment_bytes = static_cast<size_t>(limits.max_attachment_bytes);
  json.max_total_attachment_bytes =
      static_cast<size_t>(limits.max_document_bytes);
  json.max_inline_bytes = static_cast<size_t>(limits.max_inline_bytes);
  DOCBUS_ASSIGN_OR_RETURN(std::unique_ptr<vdxp::PullStateStore> pull_store,
                          vdxp::PullStateStore::Open(data_dir / "vdxp.db"));
  daemon->pull_ = std::make_unique<vdxp::PullQueue>(
      *daemon->agent_, std::move(pull_store), clock);
  HttpApiOptions http;
  http.pull = daemon->pull_.get();
  http.listen = options.http_listen;
  http.token = token;
  http.max_queue_wait = std::chrono::milliseconds(options.http_max_queue_ms);
  // Base64 makes inline attachments 4/3 larger; leave room for the JSON
  // around them. Uploads stream to disk and have their own limits.
  http.max_body_bytes =
      static_cast<size_t>(limits.max_inline_bytes / 3 * 4 + (1 << 20));
  http.limits = json;
  http.clock = &clock;
  http.connectivity = &daemon->agent_->connectivity();
  http.broker_audit = &daemon->agent_->broker_audit();
  Result<std::unique_ptr<HttpApi>> api = StartHttpApi(*daemon->agent_, http);
  if (!api.ok()) {
    return Status(api.status().code(),
                  "http.listen: " + api.status().message());
  }
  daemon->http_ = std::move(api).value();
  daemon->http_url_ = daemon->http_->url();
  if (!options.drop_folder.empty()) {
    Result<std::unique_ptr<DropFolder>> drop = StartDropFolder(
        *daemon->agent_, options.drop_folder, kDropScanInterval, &clock, json);
    if (!drop.ok()) {
      return Status(drop.status().code(),
                    "drop.folder: " + drop.status().message());
    }
    daemon->drop_ = std::move(drop).value();
  }
  if (options.vdxp.enabled) {
    daemon->packets_ = vdxp::MakeBridgePackets(*daemon->agent_);
    vdxp::SdkServerOptions sdk;
    sdk.listen = options.vdxp.listen;
    sdk.credentials = {options.vdxp.system_id, options.vdxp.secret};
    sdk.max_body_bytes = http.max_body_bytes;
    Result<std::unique_ptr<vdxp::SdkServer>> server =
        vdxp::StartSdkServer(*daemon->pull_, *daemon->packets_, sdk);
    if (!server.ok()) return server.status();
    daemon->sdk_ = std::move(server).value();
    daemon->vdxp_url_ = daemon->sdk_->url();
  }
  nlohmann::json endpoints = nlohmann::json::object();
  if (!daemon->http_url_.empty()) endpoints["http"] = daemon->http_url_;
  if (!daemon->vdxp_url_.empty()) endpoints["vdxp"] = daemon->vdxp_url_;
  DOCBUS_RETURN_IF_ERROR(WriteFileAtomically(data_dir / "endpoints.json",
                                             endpoints.dump() + "\n"));
  ComponentLogger("agent")->info("agent ready agency={} http={} vdxp={}",
                                 options.agent.agency_id, daemon->http_url_,
                                 daemon->vdxp_url_);
  return daemon;
}

AgentDaemon::~AgentDaemon() { Stop(); }

void AgentDaemon::Stop() {
  if (stopped_) return;
  stopped_ = true;
  std::error_code ec;
  if (agent_)
    std::filesystem::remove(options_.agent.data_dir / "endpoints.json", ec);
  drop_.reset();
  sdk_.reset();
  http_.reset();
  packets_.reset();
  pull_.reset();
  if (agent_) agent_->Stop();
  agent_.reset();
}

}  // namespace docbus::agent
