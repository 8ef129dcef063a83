// AgentClient: the CLI's connection to a running agent's loopback HTTP API
// (agents/API.md), found from the agent's data folder: <data_dir>/
// endpoints.json ("http") and <data_dir>/api.token (the bearer token, which
// is sent and never printed). The one file of the CLI's agent commands that
// uses cpp-httplib; transport failures become kUnavailable, answers of 300
// and above become a Status whose message carries the HTTP status and the
// agent's {"error", "detail"}.
//
// Thread-safety: a client holds only its URL and token; each call opens its
// own connection, so calls may be made from several threads.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "bus/core/status.h"

namespace docbus::agent_cli {

class AgentClient {
 public:
  // kNotFound when a file is missing (kIoError when unreadable); kCorruption
  // when endpoints.json has no "http" URL.
  static Result<AgentClient> Find(const std::filesystem::path& data_dir);

  // The agent's JSON answer (an object) for a 2xx status. kNotFound for 404;
  // kFailedPrecondition for other refusals; kMalformed for a non-JSON answer.
  Result<nlohmann::json> Get(const std::string& path) const;
  Result<nlohmann::json> Post(const std::string& path,
                              const nlohmann::json& body) const;
  // POST /v1/attachments of the regular file `file`, streamed from disk a
  // piece at a time: the agent's {"attachment_id", "size"}. kIoError when
  // the file cannot be read.
  Result<nlohmann::json> UploadFile(const std::filesystem::path& file) const;

  // POST of `body` as it is, of `content_type` (an edXML envelope).
  Result<nlohmann::json> PostBytes(const std::string& path, std::string body,
                                   const std::string& content_type) const;

  // GET of a download (an attachment's href) streamed into `file` a piece
  // at a time (never held whole): written to "<file>.part", fsynced, its
  // SHA-256 compared with `sha256_hex` (lowercase; kDigestMismatch, the
  // partial file removed), then renamed over `file`. Refusals as for Get.
  Status Download(const std::string& path, const std::filesystem::path& file,
                  const std::string& sha256_hex) const;

  const std::string& url() const { return url_; }
  // The bearer token, for a caller that keeps its own connections open (the
  // benchmark's keep-alive clients). Never print it.
  const std::string& token() const { return token_; }

 private:
  AgentClient(std::string url, std::string token)
      : url_(std::move(url)), token_(std::move(token)) {}

  std::string url_, token_;
};

}  // namespace docbus::agent_cli
