#include "tools/agent_client.h"

#include <httplib.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <iterator>

namespace docbus::agent_cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

Result<std::string> ReadSmallFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "cannot read " + path.string());
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  return text;
}

std::string Text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void Prepare(httplib::Client& client, const std::string& token) {
  client.set_bearer_token_auth(token);
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

std::string Base64Encode(std::string_view in) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : in) {
    bits = bits << 8 | c;
    count += 8;
    while (count >= 6) out.push_back(kAlphabet[(bits >> (count -= 6)) & 63]);
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

Result<std::string> Base64Decode(std::string_view in) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    if (c == '=') break;
    const char* p = std::strchr(kAlphabet, c);
    if (c == '\0' || p == nullptr)
      return Status(Code::kMalformed, "bad base64 from the agent");
    bits = bits << 6 | static_cast<uint32_t>(p - kAlphabet);
    count += 6;
    if (count >= 8)
      out.push_back(static_cast<char>((bits >> (count -= 8)) & 0xff));
  }
  return out;
}

Result<AgentClient> AgentClient::Find(const fs::path& data_dir) {
  DOCBUS_ASSIGN_OR_RETURN(std::string endpoints,
                          ReadSmallFile(data_dir / "endpoints.json"));
  const json parsed = json::parse(endpoints, nullptr, false);
  const std::string url = parsed.is_object() ? Text(parsed, "http") : "";
  if (url.empty()) {
    return Status(Code::kCorruption, (data_dir / "endpoints.json").string() +
                                         " has no \"http\" URL");
  }
  DOCBUS_ASSIGN_OR_RETURN(std::string token,
                          ReadSmallFile(data_dir / "api.token"));
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

}  // namespace docbus::agent_cli
