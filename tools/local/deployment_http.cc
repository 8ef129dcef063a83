// Deployment's questions to the daemons' HTTP listeners: the agents' API
// (with the token agent_cli::AgentClient finds) and the brokers' /v1/status,
// /metrics and /healthz.
#include <httplib.h>

#include "bus/core/files.h"
#include "tools/agent_client.h"
#include "tools/local/deployment.h"

namespace docbus::local {
namespace {

// A broker's /healthz and /v1/status are cheap: one that has not answered
// within these is frozen, gone or not listening yet.
constexpr auto kHealthTimeout = std::chrono::seconds(1);
constexpr auto kStatusTimeout = std::chrono::seconds(3);

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

Result<nlohmann::json> Deployment::Get(const std::string& agency,
                                       const std::string& path) {
  DOCBUS_ASSIGN_OR_RETURN(auto client,
                          agent_cli::AgentClient::Find(agent_data(agency)));
  return client.Get(path);
}

Result<nlohmann::json> Deployment::Post(const std::string& agency,
                                        const std::string& path,
                                        const nlohmann::json& body) {
  DOCBUS_ASSIGN_OR_RETURN(auto client,
                          agent_cli::AgentClient::Find(agent_data(agency)));
  return client.Post(path, body);
}

Result<std::string> Deployment::Send(const std::string& from,
                                     const nlohmann::json& document) {
  DOCBUS_ASSIGN_OR_RETURN(nlohmann::json answer,
                          Post(from, "/v1/documents", document));
  return answer.value("message_id", "");
}

Result<std::string> Deployment::BrokerHttpUrl(int index) const {
  const BrokerSlot& b = broker(index);
  if (!b.http_url.empty()) return b.http_url;
  DOCBUS_ASSIGN_OR_RETURN(
      std::string endpoints,
      ReadFileLimited(broker_data(index) / "endpoints.json", 1 << 20));
  auto json = nlohmann::json::parse(endpoints, nullptr, false);
  if (json.is_discarded() || json.value("http", "").empty()) {
    return Status(Code::kUnavailable, b.name + " announces no HTTP address");
  }
  return json.value("http", "");
}

Result<nlohmann::json> Deployment::BrokerStatus(int index) {
  DOCBUS_ASSIGN_OR_RETURN(std::string url, BrokerHttpUrl(index));
  httplib::Client client(url);
  client.set_connection_timeout(kStatusTimeout);
  client.set_read_timeout(kStatusTimeout);
  return ParseAnswer(client.Get("/v1/status"), "GET /v1/status");
}

Result<HttpAnswer> Deployment::BrokerHealth(int index) {
  DOCBUS_ASSIGN_OR_RETURN(std::string url, BrokerHttpUrl(index));
  httplib::Client client(url);
  client.set_connection_timeout(kHealthTimeout);
  client.set_read_timeout(kHealthTimeout);
  auto res = client.Get("/healthz");
  if (!res) {
    return Status(Code::kUnavailable, broker(index).name + " GET /healthz: " +
                                          httplib::to_string(res.error()));
  }
  return HttpAnswer{res->status, res->body};
}

int Deployment::ActiveBroker() {
  int active = -1;
  for (int i = 0; i < broker_count(); ++i) {
    if (!BrokerRunning(i) || broker(i).paused) continue;
    auto health = BrokerHealth(i);
    if (!health.ok() || health->status != 200) continue;
    if (active >= 0) return -1;
    active = i;
  }
  return active;
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

Result<std::string> Deployment::BrokerMetrics(int index) {
  DOCBUS_ASSIGN_OR_RETURN(std::string url, BrokerHttpUrl(index));
  httplib::Client client(url);
  client.set_connection_timeout(kStatusTimeout);
  client.set_read_timeout(kStatusTimeout);
  auto res = client.Get("/metrics");
  if (!res || res->status != 200) {
    return Status(Code::kUnavailable, "GET /metrics failed");
  }
  return res->body;
}

}  // namespace docbus::local
