// StatusHttp: the broker's loopback HTTP listener (cpp-httplib) on its own
// thread, serving GET /metrics (Prometheus text), GET /healthz ("ok", or 503
// when the broker loop is not running), GET /v1/status (JSON snapshot) and
// the operators' dashboard, GET / and /dashboard.js, which renders
// /v1/status in a browser.
// It only reads thread-safe sources (Metrics, SnapshotBox, an atomic health
// flag); it never touches the store or the sockets. This is the one file that
// wraps cpp-httplib.
//
// Thread-safety: Start and the destructor from the owning thread; the
// handlers run on httplib's threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "bus/core/status.h"

namespace httplib {
class Server;
}

namespace docbus::broker {

struct StatusHttpHandlers {
  std::function<std::string()> metrics;      // Prometheus text
  std::function<std::string()> status_json;  // /v1/status body
  std::function<bool()> healthy;
};

class StatusHttp {
 public:
  // Binds `listen` ("host:port"; port 0 = any free port) and starts serving.
  // kInvalidArgument for a malformed address, kUnavailable if it cannot bind.
  static Result<std::unique_ptr<StatusHttp>> Start(std::string_view listen,
                                                   StatusHttpHandlers handlers);
  // Stops the listener and joins its thread.
  ~StatusHttp();

  // "http://host:port" with the bound port.
  const std::string& url() const { return url_; }

 private:
  StatusHttp() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string url_;
};

}  // namespace docbus::broker
