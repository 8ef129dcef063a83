#include "bus/broker/status_http.h"

#include <httplib.h>

#include "bus/broker/dashboard_assets.h"

namespace docbus::broker {

Result<std::unique_ptr<StatusHttp>> StatusHttp::Start(
    std::string_view listen, StatusHttpHandlers handlers) {
  DOCBUS_ASSIGN_OR_RETURN(HttpListenAddress address,
                          ParseHttpListen(listen, "http.listen"));
  auto server = std::make_unique<httplib::Server>();
  server->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server->Get("/metrics", [h = handlers](const httplib::Request&,
                                         httplib::Response& res) {
    res.set_content(h.metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server->Get("/healthz",
              [h = handlers](const httplib::Request&, httplib::Response& res) {
                const StatusHttpHandlers::Health health = h.health();
                if (!health.ok) res.status = 503;
                res.set_content(health.text + "\n", "text/plain");
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
  server->Get("/", serve(DashboardHtml(), "text/html; charset=utf-8"));
  server->Get("/dashboard.js",
              serve(DashboardScript(), "text/javascript; charset=utf-8"));
  server->Get("/v1/status",
              [h = handlers](const httplib::Request&, httplib::Response& res) {
                res.set_content(h.status_json(), "application/json");
              });

  std::unique_ptr<StatusHttp> http(new StatusHttp());
  DOCBUS_ASSIGN_OR_RETURN(
      http->listener_,
      HttpListener::Start(std::move(server), address, "http.listen"));
  return http;
}

}  // namespace docbus::broker
