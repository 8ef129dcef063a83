#include "bus/witness/witness_http.h"

#include <httplib.h>

namespace docbus::witness {

Result<std::unique_ptr<WitnessHttp>> WitnessHttp::Start(std::string_view listen,
                                                        Witness& witness,
                                                        Metrics& metrics) {
  DOCBUS_ASSIGN_OR_RETURN(HttpListenAddress address,
                          ParseHttpListen(listen, "witness.listen"));
  auto server = std::make_unique<httplib::Server>();
  server->new_task_queue = [] { return new httplib::ThreadPool(8); };
  server->set_payload_max_length(kMaxAddCheckpointBytes);
  server->Post("/add-checkpoint", [&witness](const httplib::Request& req,
                                              httplib::Response& res) {
    const WitnessAnswer answer = witness.AddCheckpoint(req.body);
    res.status = answer.http_status;
    res.set_content(answer.body, answer.content_type);
  });
  // httplib refuses an oversized body itself: counted and logged here.
  httplib::Server::HandlerWithResponse on_error =
      [&witness](const httplib::Request&, httplib::Response& res) {
    if (res.status != 413 || !res.body.empty()) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    const WitnessAnswer answer =
        witness.Refuse(413, "too_large", "body over 64 KiB");
    res.set_content(answer.body, answer.content_type);
    return httplib::Server::HandlerResponse::Handled;
  };
  server->set_error_handler(std::move(on_error));
  server->Get(R"(/([0-9a-f]{64})/checkpoint)",
              [&witness](const httplib::Request& req, httplib::Response& res) {
                Result<std::string> note = witness.LatestNote(req.matches[1].str());
                if (!note.ok()) {
                  res.status = note.status().code() == Code::kNotFound ? 404 : 500;
                  res.set_content(note.status().message() + "\n", "text/plain");
                  return;
                }
                res.set_header("Cache-Control", "no-store");
                res.set_content(*note, "text/plain; charset=utf-8");
              });
  server->Get("/metrics", [&metrics](const httplib::Request&,
                                     httplib::Response& res) {
    res.set_content(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  std::unique_ptr<WitnessHttp> http(new WitnessHttp());
  DOCBUS_ASSIGN_OR_RETURN(
      http->listener_,
      HttpListener::Start(std::move(server), address, "witness.listen"));
  return http;
}

}  // namespace docbus::witness
