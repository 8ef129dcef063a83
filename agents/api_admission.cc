#include "agents/api_admission.h"

#include <utility>

#include "agents/http_workers.h"
#include "agents/json_codec.h"
#include "bus/core/status.h"

namespace docbus::agent {

ApiAdmission::ApiAdmission(std::chrono::milliseconds max_queue_wait,
                           Metrics& metrics,
                           std::shared_ptr<spdlog::logger> logger,
                           std::string agency)
    : max_queue_wait_(max_queue_wait),
      metrics_(metrics),
      logger_(std::move(logger)),
      agency_(std::move(agency)) {}

bool ApiAdmission::Admit(const httplib::Request& req, httplib::Response& res) {
  const std::optional<std::chrono::milliseconds> queued =
      HttpWorkers::TakeQueueWait();
  // Only a connection that queued tells how long the queue is.
  if (!queued || req.method != "POST" || max_queue_wait_.count() <= 0)
    return true;
  const std::chrono::milliseconds waited = *queued;
  const bool shed = waited > max_queue_wait_;
  {
    std::lock_guard lock(mu_);
    if (shed && !overloaded_) {
      logger_->warn(
          "agency={} api overloaded: a request waited {} ms for a server "
          "thread (http.max_queue_ms {}); answering state-changing requests "
          "503 with Retry-After until the queue drains",
          agency_, waited.count(), max_queue_wait_.count());
    } else if (!shed && overloaded_) {
      logger_->info("agency={} api no longer overloaded; {} requests were "
                    "answered 503",
                    agency_, refused_);
      refused_ = 0;
    }
    overloaded_ = shed;
    if (shed) ++refused_;
  }
  if (!shed) return true;
  metrics_.Add("docbus_agent_api_refused_total", Label("reason", "overloaded"));
  res.status = 503;
  res.set_header("Retry-After", "1");
  res.set_content(
      DumpJson(RenderError(Status(
          Code::kUnavailable,
          "the agent is overloaded: this request waited " +
              std::to_string(waited.count()) +
              " ms for a server thread; retry after 1 s"))),
      "application/json");
  return false;
}

}  // namespace docbus::agent
