// StatusHttp: the broker's loopback HTTP listener (cpp-httplib) on its own
// thread, serving GET /metrics (Prometheus text), GET /healthz (200
// "active"; 503 "standby", or when the broker loop is not running), GET
// /v1/status (JSON snapshot) and
// the operators' dashboard, GET / and /dashboard.js, which renders
// /v1/status in a browser.
// It only reads thread-safe sources (Metrics, SnapshotBox, the broker's
// atomic role); it never touches the store or the sockets. The listening itself
// (binding, its thread, stopping) is bus/core's HttpListener.
//
// Thread-safety: Start and the destructor from the owning thread; the
// handlers run on the listener's threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "bus/core/http_listener.h"
#include "bus/core/status.h"

namespace docbus::broker {

struct StatusHttpHandlers {
  std::function<std::string()> metrics;      // Prometheus text
  std::function<std::string()> status_json;  // /v1/status body
  // /healthz: 200 with the text when ok, else 503 with it.
  struct Health {
    bool ok = false;
    std::string text;
  };
  std::function<Health()> health;
};

class StatusHttp {
 public:
  // Binds `listen` ("host:port"; port 0 = any free port) and starts serving.
  // kInvalidArgument for a malformed address, kUnavailable if it cannot bind
  // (a port in use included).
  static Result<std::unique_ptr<StatusHttp>> Start(std::string_view listen,
                                                   StatusHttpHandlers handlers);
  // The destructor stops the listener and joins its thread.

  // "http://host:port" with the bound port.
  const std::string& url() const { return listener_->url(); }

 private:
  StatusHttp() = default;
  std::unique_ptr<HttpListener> listener_;
};

}  // namespace docbus::broker
