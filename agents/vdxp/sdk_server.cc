// The one file of the vdxp gateway that uses cpp-httplib.
#include "agents/vdxp/sdk_server.h"

#include <httplib.h>

#include <array>
#include <exception>

#include "agents/http_request.h"
#include "agents/vdxp/sdk_calls.h"
#include "bus/core/http_listener.h"
#include "bus/core/log.h"
#include "bus/core/metrics.h"

namespace docbus::agent::vdxp {
namespace {

using nlohmann::json;

constexpr char kRequests[] = "docbus_agent_vdxp_requests_total";
constexpr char kRefused[] = "docbus_agent_vdxp_refused_total";
constexpr char kListenKey[] = "vdxp.listen";

constexpr std::array<const char*, 8> kCalls = {
    "sendEdoc",           "getReceivedEdocList",
    "getSentEdocList",    "getEdoc",
    "downloadEdoc",       "countReceiveEdoc",
    "countReceiveStatus", "updateStatus"};

// The refusal reasons declared at start, so the first of each is seen.
constexpr std::array<Code, 8> kDeclaredReasons = {
    Code::kMalformed,         Code::kBadSignature, Code::kNotPermitted,
    Code::kDigestMismatch,    Code::kInvalidField, Code::kNotFound,
    Code::kInvalidTransition, Code::kTooLarge};

class SdkServerImpl final : public SdkServer {
 public:
  SdkServerImpl(PullQueue& queue, EdxmlPackets& packets,
                const SdkServerOptions& options)
      : calls_(queue, packets),
        metrics_(queue.service().metrics()),
        agency_(queue.service().agency_id()),
        options_(options),
        log_(ComponentLogger("agent-vdxp")) {}

  ~SdkServerImpl() override = default;

  const std::string& url() const override { return listener_->url(); }

  Status Start() {
    if (options_.credentials.system_id.empty() ||
        options_.credentials.secret.empty()) {
      return Status(Code::kInvalidArgument,
                    "vdxp: the system id and the secret must not be empty");
    }
    DOCBUS_ASSIGN_OR_RETURN(HttpListenAddress address,
                            ParseLoopbackListen(options_.listen, kListenKey));
    metrics_.Describe(kRequests, "counter",
                      "national axis SDK calls served, by call and result");
    metrics_.Describe(kRefused, "counter",
                      "national axis SDK calls refused, by reason");
    for (Code code : kDeclaredReasons) {
      metrics_.Declare(kRefused, Label("reason", CodeName(code)));
    }
    server_->set_tcp_nodelay(true);
    server_->set_payload_max_length(options_.max_body_bytes);
    server_->set_keep_alive_timeout(2);
    for (const char* call : kCalls) {
      const std::string path = std::string("/") + call;
      auto serve = [this, call](const httplib::Request& req,
                                httplib::Response& res) {
        Serve(call, req, res);
      };
      // The SDK uses GET for some calls and POST for others; both are
      // served for every call, as a hub does not care.
      server_->Get(path, serve);
      server_->Post(path, serve);
    }
    server_->set_exception_handler([this](const httplib::Request& req,
                                          httplib::Response& res,
                                          std::exception_ptr) {
      Answer(res, 500, SdkFail(Status(Code::kInternal, "unexpected error")));
      log_->error("agency={} vdxp path={} failed with an exception", agency_,
                  req.path);
    });
    server_->set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) {
          return FillError(req, res);
        }));
    DOCBUS_ASSIGN_OR_RETURN(
        listener_,
        HttpListener::Start(std::move(server_), address, kListenKey));
    log_->info("agency={} national axis SDK endpoint listening on {}", agency_,
               url());
    return Status::Ok();
  }

 private:
  static void Answer(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                    "application/json");
  }

  // sendEdoc's file: the multipart part file_doc, or the body itself (the
  // SDK's MultipartUtility sends the file's bytes raw).
  static std::string_view Upload(const httplib::Request& req) {
    if (req.is_multipart_form_data()) {
      auto part = req.files.find("file_doc");
      if (part == req.files.end()) return {};
      return part->second.content;
    }
    return req.body;
  }

  void Serve(const char* call, const httplib::Request& req,
             httplib::Response& res) {
    HeaderLookup headers =
        [&req](std::string_view name) -> std::optional<std::string> {
      const std::string key(name);
      if (!req.has_header(key)) return std::nullopt;
      return req.get_header_value(key);
    };
    Result<SdkParams> params =
        AuthenticateSdkRequest(headers, options_.credentials);
    if (!params.ok()) {
      Refuse(call, res, 401, params.status());
      return;
    }
    Result<SdkReply> reply = Status(Code::kInternal, "unexpected error");
    try {
      reply = calls_.Serve(call, *params, Upload(req));
    } catch (const std::exception& e) {
      log_->error("agency={} vdxp call={} failed: {}", agency_, call, e.what());
    }
    if (!reply.ok()) {
      Refuse(call, res, HttpStatusFor(reply.status().code()), reply.status());
      return;
    }
    if (reply->is_raw) {
      res.status = 200;
      res.set_content(reply->raw, "application/xml");
    } else {
      Answer(res, 200, reply->body);
    }
    Count(call, 200);
    // A system polls the lists and counts all day: those lines are debug.
    const std::string_view name(call);
    const auto level = name == "sendEdoc" || name == "updateStatus"
                           ? spdlog::level::info
                           : spdlog::level::debug;
    log_->log(level, "agency={} vdxp call={} served {}", agency_, call,
              reply->note);
  }

  void Count(const char* call, int status) {
    metrics_.Add(kRequests, Label("call", call) + "," +
                                Label("status", std::to_string(status)));
  }

  void Refuse(const char* call, httplib::Response& res, int http_status,
              const Status& status) {
    Answer(res, http_status, SdkFail(status));
    Count(call, http_status);
    metrics_.Add(kRefused, Label("reason", CodeName(status.code())));
    if (status.code() == Code::kResourceExhausted) {
      // 507, the agent's disk nearly full: logged once when it began.
    } else if (http_status >= 500) {
      log_->error("agency={} vdxp call={} failed: {}", agency_, call,
                  status.ToString());
    } else {
      log_->warn("agency={} vdxp call={} refused: {}", agency_, call,
                 status.ToString());
    }
  }

  // What httplib answers itself (no such call, a body too large) in the
  // SDK's refusal shape; answers that have a body are left alone.
  httplib::Server::HandlerResponse FillError(const httplib::Request& req,
                                             httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Status status(Code::kMalformed, "bad HTTP request");
    if (res.status == 404) {
      status =
          Status(Code::kNotFound, "no such call: " + req.path.substr(0, 64));
    }
    if (res.status == 413) {
      status = Status(Code::kTooLarge,
                      "request larger than " +
                          std::to_string(options_.max_body_bytes) + " bytes");
    }
    metrics_.Add(kRefused, Label("reason", CodeName(status.code())));
    Answer(res, res.status, SdkFail(status));
    return httplib::Server::HandlerResponse::Handled;
  }

  SdkCalls calls_;
  Metrics& metrics_;
  const std::string agency_;
  const SdkServerOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<httplib::Server> server_ =
      std::make_unique<httplib::Server>();
  std::unique_ptr<HttpListener> listener_;
};

}  // namespace

Result<std::unique_ptr<SdkServer>> StartSdkServer(
    PullQueue& queue, EdxmlPackets& packets, const SdkServerOptions& options) {
  auto server = std::make_unique<SdkServerImpl>(queue, packets, options);
  DOCBUS_RETURN_IF_ERROR(server->Start());
  return std::unique_ptr<SdkServer>(std::move(server));
}

}  // namespace docbus::agent::vdxp
