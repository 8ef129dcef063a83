// ApiAdmission: the HTTP API's back-pressure. When callers offer more than
// the agent can sign and commit, connections queue for the API's threads
// and every caller's wait grows without bound. Instead, a request that would
// change state (every POST) whose connection waited longer than
// http.max_queue_ms for a thread is answered at once with
// 503 {"error": "unavailable"} and `Retry-After: 1`, before its body is read
// or anything is signed or stored; reads, /metrics and /healthz are always
// served. Each refusal is counted in
// docbus_agent_api_refused_total{reason="overloaded"}; the overload is
// logged once when it begins and once when it ends.
//
// Thread-safety: Admit from any server thread.
#pragma once

#include <httplib.h>
#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "bus/core/metrics.h"

namespace docbus::agent {

class ApiAdmission {
 public:
  // `max_queue_wait` of zero or less turns the shedding off.
  ApiAdmission(std::chrono::milliseconds max_queue_wait, Metrics& metrics,
               std::shared_ptr<spdlog::logger> logger, std::string agency);

  // Called before routing each request (HttpWorkers::TakeQueueWait tells
  // its connection's wait). False when it answered 503 in `res`.
  bool Admit(const httplib::Request& req, httplib::Response& res);

 private:
  const std::chrono::milliseconds max_queue_wait_;
  Metrics& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  const std::string agency_;
  std::mutex mu_;
  bool overloaded_ = false;  // guarded by mu_
  int64_t refused_ = 0;      // in this overload; guarded by mu_
};

}  // namespace docbus::agent
