// The one file of the agent that uses cpp-httplib (server side).
#include "agents/http_api.h"

#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <functional>
#include <regex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "agents/api_admission.h"
#include "agents/document_routes.h"
#include "agents/download_routes.h"
#include "agents/edxml/edxml_routes.h"
#include "agents/http_request.h"
#include "agents/http_workers.h"
#include "agents/prefer_wait.h"
#include "agents/upload_routes.h"
#include "agents/vdxp/pull_routes.h"
#include "bus/core/http_listener.h"
#include "bus/core/ids.h"
#include "bus/core/log.h"
#include "bus/core/secret_compare.h"

namespace docbus::agent {
namespace {

using nlohmann::json;

constexpr char kRequests[] = "docbus_agent_api_requests_total";
constexpr char kRefused[] = "docbus_agent_api_refused_total";
// A keep-alive connection holds one server thread until it closes, so this
// is how many clients can submit at the same time (a Submit waits for the
// loop's group commit, so concurrent callers are what fills a commit).
constexpr size_t kServerThreads = 16;
constexpr size_t kRequestsPerConnection = 100;

struct Reply {
  int status = 200;
  json body;
  // When set, the answer is `raw` of this type instead of the JSON body.
  std::string content_type, raw;
  // When set, the route writes the response itself (a download).
  std::function<void(httplib::Response&)> fill;
};

class HttpApiServer final : public HttpApi {
 public:
  HttpApiServer(AgentService& service, const HttpApiOptions& options)
      : service_(service),
        options_(options),
        clock_(options.clock != nullptr ? options.clock : &real_clock_),
        log_(ComponentLogger("agent-api")),
        edxml_(service, AgentLimitsOf(options.limits)),
        admission_(options.max_queue_wait, service.metrics(), log_,
                   service.agency_id()) {}

  // listener_ goes first (declared last): no request runs once the members
  // its handlers use are destroyed.
  ~HttpApiServer() override = default;

  const std::string& url() const override { return listener_->url(); }

  Status Start() {
    if (options_.token.empty()) {
      return Status(Code::kInvalidArgument, "the API token must not be empty");
    }
    DOCBUS_ASSIGN_OR_RETURN(HttpListenAddress address,
                            ParseLoopbackListen(options_.listen, "http.listen"));
    Metrics& m = service_.metrics();
    m.Describe(kRequests, "counter", "HTTP API requests by route and status");
    m.Describe(kRefused, "counter", "HTTP API requests refused, by reason");
    server_->new_task_queue = [] { return new HttpWorkers(kServerThreads); };
    // Without it Nagle's algorithm holds a small answer back until the
    // client's delayed ACK: tens of milliseconds per keep-alive request.
    server_->set_tcp_nodelay(true);
    // The library's own bound is for the streamed routes (their handlers
    // hold the limits); CheckBodySize bounds every other body.
    server_->set_payload_max_length(options_.limits.max_total_attachment_bytes +
                                    options_.max_body_bytes);
    server_->set_keep_alive_timeout(2);
    // A connection is closed after this many requests so that the threads
    // go round when more clients than threads keep connections open; the
    // library's default of 5 made a busy client reconnect every 5 requests.
    server_->set_keep_alive_max_count(kRequestsPerConnection);
    server_->set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) {
          if (!admission_.Admit(req, res) ||
              Authorize(req, res) == httplib::Server::HandlerResponse::Handled)
            return httplib::Server::HandlerResponse::Handled;
          return CheckBodySize(req, res);
        });
    server_->set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) {
          return FillError(req, res);
        }));
    server_->set_exception_handler([this](const httplib::Request& req,
                                         httplib::Response& res,
                                         std::exception_ptr) {
      Send(res, 500, RenderError(Status(Code::kInternal, "unexpected error")));
      log_->error("api route={} failed with an exception", req.path);
    });
    AddRoutes();
    for (const ApiRoute& r : HttpApiRoutes()) {
      if (!bound_.contains(r.name)) {
        log_->critical("api route {} is in the table but has no handler",
                       r.name);
        std::abort();
      }
    }
    DOCBUS_ASSIGN_OR_RETURN(
        listener_,
        HttpListener::Start(std::move(server_), address, "http.listen"));
    log_->info("agency={} api listening on {}", service_.agency_id(), url());
    return Status::Ok();
  }

 private:
  using Handler = std::function<Result<Reply>(const httplib::Request&)>;
  using StreamHandler = std::function<Result<Reply>(
      const httplib::Request&, const httplib::ContentReader&)>;

  void AddRoutes() {
    StreamRoute("submit", [this](const auto& req, const auto& read) {
      return Submit(req, read);
    });
    StreamRoute("upload_attachment",
                [this](const auto&, const auto& read) -> Result<Reply> {
                  DOCBUS_ASSIGN_OR_RETURN(json body,
                                          UploadAttachment(service_, read));
                  log_->info("agency={} attachment {} uploaded size={}",
                             service_.agency_id(),
                             body["attachment_id"].get<std::string>(),
                             body["size"].get<uint64_t>());
                  return Reply{201, std::move(body)};
                });
    Route("list_outgoing", [this](const auto& req) -> Result<Reply> {
      DOCBUS_ASSIGN_OR_RETURN(
          json body, ListOutgoingJson(service_, options_.connectivity, req));
      return Reply{200, std::move(body)};
    });
    Route("outgoing", [this](const auto& req) -> Result<Reply> {
      DOCBUS_ASSIGN_OR_RETURN(
          json body, OutgoingJson(service_, options_.connectivity, req));
      return Reply{200, std::move(body)};
    });
    Route("report_status",
          [this](const auto& req) { return ReportStatus(req); });
    Route("list_incoming", [this](const auto& req) -> Result<Reply> {
      DOCBUS_ASSIGN_OR_RETURN(json body, ListInboxJson(service_, req));
      return Reply{200, std::move(body)};
    });
    Route("incoming", [this](const auto& req) -> Result<Reply> {
      DOCBUS_ASSIGN_OR_RETURN(json body, IncomingJson(service_, req));
      return Reply{200, std::move(body)};
    });
    Route("inbox_attachment",
          [this](const auto& req) -> Result<Reply> {
            DOCBUS_ASSIGN_OR_RETURN(DownloadResponse download,
                                    InboxAttachmentDownload(service_, req));
            Reply reply;
            reply.status = download.status;
            reply.fill = std::move(download.fill);
            return reply;
          });
    Route("list_statuses", [this](const auto& req) -> Result<Reply> {
      DOCBUS_ASSIGN_OR_RETURN(json body, ListStatusesJson(service_, req));
      return Reply{200, std::move(body)};
    });
    // The pull model for new integrations; handlers in agents/vdxp.
    Route("pull_list",
          [this](const auto& req) -> Result<Reply> {
            DOCBUS_ASSIGN_OR_RETURN(vdxp::PullQueue * pull, Pull());
            DOCBUS_ASSIGN_OR_RETURN(
                int64_t limit,
                QueryInt(req, "limit", kDefaultListLimit, kMaxListLimit));
            DOCBUS_ASSIGN_OR_RETURN(
                json body,
                vdxp::ListPullJson(*pull, req.get_param_value("kind"), limit));
            return Reply{200, std::move(body)};
          });
    Route("pull_update",
          [this](const auto& req) -> Result<Reply> {
            DOCBUS_ASSIGN_OR_RETURN(vdxp::PullQueue * pull, Pull());
            DOCBUS_ASSIGN_OR_RETURN(
                json body, vdxp::UpdatePullJson(*pull, req.matches[1].str(),
                                                req.body));
            return Reply{200, std::move(body)};
          });
    Route("edxml_import",
          [this](const auto& req) { return ImportEdxml(req); });
    auto edxml_export = [this](auto get) {
      return [this, get](const httplib::Request& req) -> Result<Reply> {
        DOCBUS_ASSIGN_OR_RETURN(std::string xml, get(edxml_, req.matches[1].str()));
        return Reply{200, {}, kEdxmlContentType, std::move(xml)};
      };
    };
    Route("edxml_export", edxml_export(&GetDocumentEdxml));
    Route("edxml_status_export", edxml_export(&GetStatusEdxml));
    Route("broker_audit", [this](const auto&) -> Result<Reply> {
      DOCBUS_ASSIGN_OR_RETURN(json audit, BrokerAuditBody(options_.broker_audit));
      return Reply{200, std::move(audit)};
    });
    RawRoute("metrics", [this](const httplib::Request&,
                               httplib::Response& res) {
      res.set_content(service_.metrics().Render(), "text/plain; version=0.0.4");
    });
    RawRoute("healthz", [this](const httplib::Request&,
                               httplib::Response& res) {
      const BrokerConnectivity* link = options_.connectivity;
      if (link != nullptr && link->Read().offline) {
        res.status = 503;
        res.set_content(link->Reason() + "\n", "text/plain");
        return;
      }
      res.set_content("ok\n", "text/plain");
    });
  }

  Result<vdxp::PullQueue*> Pull() const {
    if (options_.pull == nullptr)
      return Status(Code::kUnavailable, "this agent keeps no pull state");
    return options_.pull;
  }

  // The table's entry `name`, marked bound; aborts when there is none.
  const ApiRoute& Bind(std::string_view name) {
    for (const ApiRoute& r : HttpApiRoutes()) {
      if (r.name == name) {
        bound_.insert(r.name);
        return r;
      }
    }
    log_->critical("api route {} is not in the route table", name);
    std::abort();
  }

  void RawRoute(std::string_view name, httplib::Server::Handler handler) {
    const ApiRoute& r = Bind(name);
    server_->Get(r.pattern, std::move(handler));
  }

  void Route(std::string_view name, Handler handler) {
    const ApiRoute& entry = Bind(name);
    const std::string method = entry.method, pattern = entry.pattern;
    std::string route(entry.name);
    auto serve = [this, route = std::move(route), handler = std::move(handler)](
                     const httplib::Request& req, httplib::Response& res) {
      Answer(route, [&] { return handler(req); }, res);
    };
    if (method == "GET") {
      server_->Get(pattern, std::move(serve));
      return;
    }
    // A POST reads its body itself, within max_body_bytes (upload_routes.h).
    post_patterns_.emplace_back(pattern);
    server_->Post(pattern, [this, label = std::string(entry.name),
                            serve = std::move(serve)](
                               const httplib::Request& req,
                               httplib::Response& res,
                               const httplib::ContentReader& read) {
      Result<std::string> body = ReadBody(req, read, options_.max_body_bytes);
      if (!body.ok()) {
        Answer(label, [&]() -> Result<Reply> { return body.status(); }, res);
        return;
      }
      httplib::Request with_body = req;
      with_body.body = std::move(body).value();
      serve(with_body, res);
    });
  }

  // A POST route that reads its own body as it arrives (upload_routes.h).
  void StreamRoute(std::string_view name, StreamHandler handler) {
    const ApiRoute& entry = Bind(name);
    std::string route(entry.name);
    post_patterns_.emplace_back(entry.pattern);
    server_->Post(entry.pattern,
                  [this, route = std::move(route),
                   handler = std::move(handler)](
                      const httplib::Request& req, httplib::Response& res,
                      const httplib::ContentReader& read) {
                    Answer(route, [&] { return handler(req, read); }, res);
                  });
  }

  void Answer(const std::string& route,
              const std::function<Result<Reply>()>& handle,
              httplib::Response& res) {
    Result<Reply> reply = Status(Code::kInternal, "unexpected error");
    try {
      reply = handle();
    } catch (const std::exception& e) {
      log_->error("agency={} api route={} failed: {}", service_.agency_id(),
                  route, e.what());
    }
    if (reply.ok() && reply->fill) {
      reply->fill(res);
      Count(route, reply->status);
      return;
    }
    if (reply.ok() && !reply->content_type.empty()) {
      res.status = reply->status;
      res.set_content(std::move(reply->raw), reply->content_type);
      Count(route, reply->status);
      return;
    }
    if (reply.ok()) {
      Send(res, reply->status, reply->body);
      Count(route, reply->status);
      return;
    }
    const Status& status = reply.status();
    const int code = HttpStatusFor(status.code());
    Send(res, code, RenderError(status));
    Count(route, code);
    if (status.code() == Code::kResourceExhausted) {
      // 507: the disk's state was logged once when it began.
      service_.metrics().Add(kRefused,
                             Label("reason", CodeName(status.code())));
    } else if (code >= 500) {
      log_->error("agency={} api route={} failed: {}", service_.agency_id(),
                  route, status.ToString());
    } else {
      Refuse(route, status);
    }
  }

  static void Send(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(DumpJson(body), "application/json");
  }

  void Count(const std::string& route, int status) {
    service_.metrics().Add(
        kRequests,
        Label("route", route) + "," + Label("status", std::to_string(status)));
  }

  void Refuse(const std::string& route, const Status& status) {
    service_.metrics().Add(kRefused, Label("reason", CodeName(status.code())));
    log_->warn("agency={} api route={} refused: {}", service_.agency_id(),
               route, status.ToString());
  }

  httplib::Server::HandlerResponse Authorize(const httplib::Request& req,
                                             httplib::Response& res) {
    if (req.path.rfind("/v1/", 0) != 0)
      return httplib::Server::HandlerResponse::Unhandled;
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (header.size() > kBearer.size() &&
        header.compare(0, kBearer.size(), kBearer) == 0 &&
        SameSecret(std::string_view(header).substr(kBearer.size()),
                   options_.token)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.set_header("WWW-Authenticate", "Bearer realm=\"docbus-agent\"");
    Send(res, 401,
         json{{"error", "unauthorized"},
              {"detail", "missing or wrong bearer token"}});
    service_.metrics().Add(kRefused, Label("reason", "unauthorized"));
    log_->warn("agency={} api refused a request without a valid token",
               service_.agency_id());
    return httplib::Server::HandlerResponse::Handled;
  }

  // Every POST route reads its own body within its bound (upload_routes.h);
  // the library would read any other request's body into memory, up to the
  // uploads' bound, before finding it has no route: such a body must say its
  // length and stay within max_body_bytes.
  httplib::Server::HandlerResponse CheckBodySize(const httplib::Request& req,
                                                 httplib::Response& res) {
    if (req.method == "POST") {
      for (const std::regex& pattern : post_patterns_) {
        if (std::regex_match(req.path, pattern))
          return httplib::Server::HandlerResponse::Unhandled;
      }
    }
    Status refused;
    int code = 413;
    if (req.has_header("Content-Length") &&
        std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr,
                      10) > options_.max_body_bytes) {
      refused = Status(Code::kTooLarge,
                       "request body larger than " +
                           std::to_string(options_.max_body_bytes) + " bytes");
    } else if (req.get_header_value("Transfer-Encoding") == "chunked") {
      refused = Status(Code::kInvalidArgument,
                       "this route needs a Content-Length");
      code = 411;
    } else {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    Send(res, code, RenderError(refused));
    service_.metrics().Add(kRefused, Label("reason", CodeName(refused.code())));
    log_->warn("agency={} api refused a body: {}", service_.agency_id(),
               refused.message());
    return httplib::Server::HandlerResponse::Handled;
  }

  // Errors httplib produces itself (no route, body too large) get the same
  // JSON shape as ours; answers that already have a body are left alone.
  httplib::Server::HandlerResponse FillError(const httplib::Request&,
                                             httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Status status(Code::kInternal, "request failed");
    if (res.status == 404) status = Status(Code::kNotFound, "no such route");
    if (res.status == 413) {
      status = Status(Code::kTooLarge,
                      "request body larger than " +
                          std::to_string(options_.max_body_bytes) + " bytes");
    }
    if (res.status == 400) status = Status(Code::kMalformed, "bad request");
    if (res.status != 404) {
      service_.metrics().Add(kRefused,
                             Label("reason", CodeName(status.code())));
    }
    Send(res, res.status, RenderError(status));
    return httplib::Server::HandlerResponse::Handled;
  }

  // JSON, or multipart/form-data: the JSON in the part "document" and each
  // attachment's bytes in the part its "file" names, streamed to disk.
  Result<Reply> Submit(const httplib::Request& req,
                       const httplib::ContentReader& read) {
    DOCBUS_ASSIGN_OR_RETURN(
        DocumentRequest request,
        ReadSubmission(service_, req, read, options_.limits,
                       options_.max_body_bytes, clock_->NowUnixMillis()));
    request.idempotency_key = req.get_header_value("Idempotency-Key");
    const size_t recipients = request.header.to_size();
    const size_t attachments = request.attachments.size();
    DOCBUS_ASSIGN_OR_RETURN(std::string message_id,
                            service_.Submit(std::move(request)));
    log_->info("agency={} message_id={} submitted over the API recipients={} "
               "attachments={}",
               service_.agency_id(), message_id, recipients, attachments);
    const std::chrono::seconds wait = PreferredWait(req);
    return Reply{202, {}, "", "", [this, message_id, wait](auto& res) {
                   AnswerSubmitted(service_, message_id, wait, waits_, res);
                 }};
  }

  // The XML is the body, whatever its content type.
  Result<Reply> ImportEdxml(const httplib::Request& req) {
    DOCBUS_ASSIGN_OR_RETURN(EdxmlImportAnswer answer,
                            PostEdxml(edxml_, req.body));
    log_->info("agency={} edxml {} {} imported over the API duplicate={}",
               service_.agency_id(), answer.body.value("kind", ""),
               answer.body.value("message_id",
                                 answer.body.value("status_id", "")),
               answer.body.value("duplicate", false));
    return Reply{answer.http_status, std::move(answer.body)};
  }

  Result<Reply> ReportStatus(const httplib::Request& req) {
    DOCBUS_ASSIGN_OR_RETURN(std::string id, PathMessageId(req));
    DOCBUS_ASSIGN_OR_RETURN(StatusReport report,
                            StatusReportFromJson(req.body, options_.limits));
    DOCBUS_ASSIGN_OR_RETURN(
        std::string status_id,
        service_.ReportStatus(id, report.code, std::move(report.description),
                              std::move(report.to)));
    log_->info("agency={} message_id={} status={} reported over the API",
               service_.agency_id(), id, static_cast<int>(report.code));
    return Reply{202, json{{"status_id", status_id}}};
  }

  AgentService& service_;
  const HttpApiOptions options_;
  RealClock real_clock_;
  const Clock* clock_;
  std::shared_ptr<spdlog::logger> log_;
  EdxmlBridge edxml_;
  ApiAdmission admission_;
  WaitSlots waits_{kServerThreads - 4};  // Prefer: wait
  // Built and given routes by Start, then owned by listener_.
  std::unique_ptr<httplib::Server> server_ =
      std::make_unique<httplib::Server>();
  std::unique_ptr<HttpListener> listener_;
  std::set<std::string_view> bound_;  // table entries given a handler
  std::vector<std::regex> post_patterns_;  // the POST routes, bound by Start
};

}  // namespace

Result<std::unique_ptr<HttpApi>> StartHttpApi(AgentService& service,
                                              const HttpApiOptions& options) {
  auto api = std::make_unique<HttpApiServer>(service, options);
  DOCBUS_RETURN_IF_ERROR(api->Start());
  return std::unique_ptr<HttpApi>(std::move(api));
}

}  // namespace docbus::agent
