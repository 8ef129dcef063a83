#include "tools/agent_client.h"

#include <httplib.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>

#include "bus/core/files.h"
#include "bus/core/ids.h"
#include "bus/crypto/sha256.h"

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

Status AgentClient::Download(const std::string& path, const fs::path& file,
                             const std::string& sha256_hex) const {
  const fs::path part = file.string() + ".part";
  std::FILE* out = std::fopen(part.c_str(), "wb");
  if (out == nullptr) {
    return Status(Code::kIoError, "cannot create " + part.string());
  }
  crypto::Sha256Stream hash;
  bool write_failed = false;
  httplib::Client client(url_);
  Prepare(client, token_);
  std::string refusal;  // the body of an answer that is not the bytes
  int status = 0;
  httplib::Result res = client.Get(
      path.c_str(),
      [&](const httplib::Response& r) {
        status = r.status;
        return true;
      },
      [&](const char* data, size_t length) {
        if (status != 200) {
          refusal.append(data, std::min<size_t>(length, 1000));
          return refusal.size() < 1000;
        }
        hash.Update(std::string_view(data, length));
        write_failed = std::fwrite(data, 1, length, out) != length;
        return !write_failed;
      });
  const bool flushed = std::fflush(out) == 0 && ::fsync(fileno(out)) == 0;
  std::fclose(out);
  const auto fail = [&](Status why) {
    std::error_code ec;
    fs::remove(part, ec);
    return why;
  };
  if (write_failed || !flushed) {
    return fail(Status(Code::kIoError, "cannot write " + part.string()));
  }
  if (!res) {
    return fail(
        Status(Code::kUnavailable, "cannot reach the agent at " + url_ + ": " +
                                       httplib::to_string(res.error())));
  }
  if (status != 200) {
    res->body = refusal;
    return fail(Answer(res, url_, "GET " + path).status());
  }
  if (Hex(hash.Finish()) != sha256_hex) {
    return fail(
        Status(Code::kDigestMismatch,
               "GET " + path + ": the bytes do not match their SHA-256"));
  }
  std::error_code ec;
  fs::rename(part, file, ec);
  if (ec) {
    return fail(Status(Code::kIoError,
                       "cannot rename " + part.string() + ": " + ec.message()));
  }
  return Status::Ok();
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

Result<json> AgentClient::UploadFile(const fs::path& file) const {
  std::error_code ec;
  const uintmax_t size = fs::file_size(file, ec);
  if (ec || !fs::is_regular_file(file, ec)) {
    return Status(Code::kIoError, "cannot read " + file.string() +
                                      (ec ? ": " + ec.message() : ""));
  }
  std::FILE* in = std::fopen(file.c_str(), "rb");
  if (in == nullptr) {
    return Status(Code::kIoError, "cannot open " + file.string());
  }
  bool read_failed = false;
  httplib::Client client(url_);
  Prepare(client, token_);
  auto res = client.Post(
      "/v1/attachments", static_cast<size_t>(size),
      [&](size_t offset, size_t length, httplib::DataSink& sink) {
        std::string buffer(std::min<size_t>(length, size_t{1} << 20), '\0');
        if (std::fseek(in, static_cast<long>(offset), SEEK_SET) != 0) {
          read_failed = true;
          return false;
        }
        const size_t n = std::fread(buffer.data(), 1, buffer.size(), in);
        if (n == 0) {
          read_failed = true;
          return false;
        }
        return sink.write(buffer.data(), n);
      },
      "application/octet-stream");
  std::fclose(in);
  if (read_failed) {
    return Status(Code::kIoError, "cannot read " + file.string());
  }
  return Answer(res, url_, "POST /v1/attachments");
}

}  // namespace docbus::agent_cli
