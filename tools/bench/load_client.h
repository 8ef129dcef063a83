// LoadClient: the benchmark's own HTTP/1.1 client of one agent's API, lean so
// that the load generator spends as little as it can of the cores it shares
// with the bus: one keep-alive connection, each request written whole in one
// send() and its answer read with as few recv() as it takes (no poll per read,
// no header maps), in the manner of wrk.
//
// Not a general client: it speaks to the agent's API only (answers carry a
// Content-Length; no chunked encoding, no redirects, no TLS).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "bus/core/status.h"

namespace docbus::bench {

struct Answer {
  int status = 0;
  std::string body;
};

class LoadClient {
 public:
  // `url` is the API's "http://host:port" (IPv4 loopback in practice).
  LoadClient(std::string url, std::string token);
  ~LoadClient();
  LoadClient(const LoadClient&) = delete;
  LoadClient& operator=(const LoadClient&) = delete;

  // POSTs `body` of `content_type` to `path`. A connection idle for a second
  // is replaced first (the agent closes idle ones); a request that could not
  // be written whole is sent once more on a new connection. No answer within
  // 60 s is an error.
  // `headers`: more header lines, each ending in "\r\n".
  Result<Answer> Post(const std::string& path, const std::string& content_type,
                      const std::string& body, const std::string& headers = "");
  // GETs `path`, in the same way.
  Result<Answer> Get(const std::string& path);

 private:
  // Sends request_ and reads its answer.
  Result<Answer> Exchange();
  Status Connect();
  void Close();
  Result<Answer> ReadAnswer();

  std::string host_;
  uint16_t port_ = 0;
  std::string token_;
  int fd_ = -1;
  std::string request_;
  std::string in_;  // bytes received and not yet consumed
  std::chrono::steady_clock::time_point last_used_;
};

}  // namespace docbus::bench
