#include "tools/agent_client.h"

#include <httplib.h>

#include <cctype>
#include <cstdint>

#include "bus/core/files.h"

namespace docbus::agent_cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// endpoints.json and api.token are a few bytes.
constexpr uint64_t kMaxSmallFile = 1 << 20;

std::string Text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

void Prepare(httplib::Client& client, const std::string& token) {
  client.set_bearer_token_auth(token);
  // A small request must not wait for Nagle's algorithm (delayed ACKs).
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(5);
  client.set_read_timeout(120);
}

Result<json> Answer(const httplib::Result& res, const std::string& url,
                    const std::string& what) {
  if (!res) {
    return Status(Code::kUnavailable, "cannot reach the agent at " + url +
                                          ": " +
                                          httplib::to_string(res.error()));
  }
  json body = json::parse(res->body, nullptr, false);
  if (res->status >= 300) {
    const std::string why =
        body.is_object() ? Text(body, "error") + ": " + Text(body, "detail")
                         : res->body.substr(0, 200);
    return Status(
        res->status == 404 ? Code::kNotFound : Code::kFailedPrecondition,
        what + " answered " + std::to_string(res->status) + " " + why);
  }
  if (!body.is_object()) {
    return Status(Code::kMalformed, what + ": the answer is not JSON");
  }
  return body;
}

}  // namespace

Result<AgentClient> AgentClient::Find(const fs::path& data_dir) {
  DOCBUS_ASSIGN_OR_RETURN(
      std::string endpoints,
      ReadFileLimited(data_dir / "endpoints.json", kMaxSmallFile));
  const json parsed = json::parse(endpoints, nullptr, false);
  const std::string url = parsed.is_object() ? Text(parsed, "http") : "";
  if (url.empty()) {
    return Status(Code::kCorruption, (data_dir / "endpoints.json").string() +
                                         " has no \"http\" URL");
  }
  DOCBUS_ASSIGN_OR_RETURN(
      std::string token,
      ReadFileLimited(data_dir / "api.token", kMaxSmallFile));
  while (!token.empty() &&
         std::isspace(static_cast<unsigned char>(token.back()))) {
    token.pop_back();
  }
  return AgentClient(url, std::move(token));
}

Result<json> AgentClient::Get(const std::string& path) const {
  httplib::Client client(url_);
  Prepare(client, token_);
  return Answer(client.Get(path.c_str()), url_, "GET " + path);
}

Result<json> AgentClient::Post(const std::string& path,
                               const json& body) const {
  httplib::Client client(url_);
  Prepare(client, token_);
  return Answer(client.Post(path.c_str(), body.dump(), "application/json"),
                url_, "POST " + path);
}

Result<json> AgentClient::PostBytes(const std::string& path, std::string body,
                                    const std::string& content_type) const {
  httplib::Client client(url_);
  Prepare(client, token_);
  return Answer(client.Post(path.c_str(), body, content_type.c_str()), url_,
                "POST " + path);
}

Result<json> AgentClient::PostMultipart(
    const std::string& path, const json& body,
    std::vector<std::pair<std::string, std::string>> parts) const {
  httplib::MultipartFormDataItems items{
      {"document", body.dump(), "", "application/json"}};
  for (auto& [name, data] : parts) {
    items.push_back({name, std::move(data), name, "application/octet-stream"});
  }
  httplib::Client client(url_);
  Prepare(client, token_);
  return Answer(client.Post(path.c_str(), items), url_, "POST " + path);
}

}  // namespace docbus::agent_cli
