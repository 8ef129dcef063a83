#include "bus/broker/status_http.h"

#include <httplib.h>

#include <charconv>

#include "bus/broker/dashboard_assets.h"

namespace docbus::broker {

Result<std::unique_ptr<StatusHttp>> StatusHttp::Start(
    std::string_view listen, StatusHttpHandlers handlers) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status(Code::kInvalidArgument,
                  "http.listen '" + std::string(listen) + "' is not host:port");
  }
  const std::string host(listen.substr(0, colon));
  const std::string_view port_text = listen.substr(colon + 1);
  int port = -1;
  auto [end, ec] = std::from_chars(port_text.data(),
                                   port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() ||
      port < 0 || port > 65535) {
    return Status(
        Code::kInvalidArgument,
        "http.listen '" + std::string(listen) + "' has no valid port");
  }

  std::unique_ptr<StatusHttp> http(new StatusHttp());
  http->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *http->server_;
  server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  server.Get("/metrics", [h = handlers](const httplib::Request&,
                                        httplib::Response& res) {
    res.set_content(h.metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server.Get("/healthz",
             [h = handlers](const httplib::Request&, httplib::Response& res) {
               if (h.healthy()) {
                 res.set_content("ok\n", "text/plain");
               } else {
                 res.status = 503;
                 res.set_content("broker loop not running\n", "text/plain");
               }
             });
  // The dashboard: its page and script only; everything it shows comes from
  // /v1/status.
  const auto serve = [](std::string_view body, const char* type) {
    return [body, type](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Security-Policy",
                     "default-src 'none'; script-src 'self'; "
                     "connect-src 'self'; style-src 'unsafe-inline'");
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_content(std::string(body), type);
    };
  };
  server.Get("/", serve(DashboardHtml(), "text/html; charset=utf-8"));
  server.Get("/dashboard.js",
             serve(DashboardScript(), "text/javascript; charset=utf-8"));
  server.Get("/v1/status",
             [h = handlers](const httplib::Request&, httplib::Response& res) {
               res.set_content(h.status_json(), "application/json");
             });

  int bound = -1;
  try {
    if (port == 0) {
      bound = server.bind_to_any_port(host);
    } else {
      bound = server.bind_to_port(host, port) ? port : -1;
    }
  } catch (const std::exception& e) {
    return Status(Code::kUnavailable,
                  "http.listen " + std::string(listen) + ": " + e.what());
  }
  if (bound <= 0) {
    return Status(Code::kUnavailable,
                  "http.listen " + std::string(listen) +
                      ": cannot bind (in use or not a local address)");
  }
  http->url_ = "http://" + host + ":" + std::to_string(bound);
  http->thread_ = std::thread([&server] { server.listen_after_bind(); });
  // stop() only works once the server runs: wait for it (microseconds).
  while (!server.is_running()) std::this_thread::yield();
  return http;
}

StatusHttp::~StatusHttp() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace docbus::broker
