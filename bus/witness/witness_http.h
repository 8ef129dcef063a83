// WitnessHttp: docbus-witness's HTTP server. POST /add-checkpoint (bodies
// over 64 KiB get 413 before they are read), GET /<hex sha256(origin)>/
// checkpoint, GET /metrics, GET /healthz. Handlers run on the server's own
// threads and only call the (thread-safe) Witness and Metrics.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "bus/core/http_listener.h"
#include "bus/core/metrics.h"
#include "bus/witness/witness.h"

namespace docbus::witness {

class WitnessHttp {
 public:
  // Serves on `listen` until destroyed; `witness` and `metrics` must outlive
  // it. kUnavailable when the address cannot be bound.
  static Result<std::unique_ptr<WitnessHttp>> Start(std::string_view listen,
                                                    Witness& witness,
                                                    Metrics& metrics);
  const std::string& url() const { return listener_->url(); }

 private:
  WitnessHttp() = default;
  std::unique_ptr<HttpListener> listener_;
};

}  // namespace docbus::witness
