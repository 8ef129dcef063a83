// Broker: the docbus broker daemon as a library. Start() loads the keys, the
// PKI and the registry once, opens the store, checks the audit log against
// its latest signed checkpoint, starts the ZAP handler (CURVE key -> agency
// through the registry; unknown or revoked keys are refused), binds the
// ROUTER, starts the HTTP listener (/metrics, /healthz, /v1/status), writes
// <data_dir>/endpoints.json and runs the loop on its own thread (see
// bus/broker/README.md: group commit per turn, then delivery within credit).
// Stop() (or the destructor) ends the loop, signs a last checkpoint, closes
// everything and removes endpoints.json.
//
// Thread-safety: Start/Stop/destructor from one owning thread; the
// accessors are safe from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bus/broker/broker_options.h"
#include "bus/core/clock.h"
#include "bus/core/metrics.h"
#include "bus/core/status.h"

namespace docbus::broker {

class BrokerLoop;

class Broker {
 public:
  // Errors (the message names the config key or file concerned):
  //   kCorruption / kFailedPrecondition  the stored audit log does not match
  //       the checkpoint the broker signed (refuse to start: exit 3);
  //   kInvalidArgument / kNotFound  a key, certificate, CRL or registry file
  //       is missing or unusable (bad configuration: exit 2);
  //   kUnavailable / kIoError / kInternal  cannot bind, cannot open the store.
  // `clock` must outlive the broker.
  static Result<std::unique_ptr<Broker>> Start(const BrokerOptions& options,
                                               const Clock& clock);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Ends the loop and releases everything; idempotent. Returns why the loop
  // had stopped by itself, if it did (ok otherwise).
  Status Stop();

  // The registry and the CRL are read again before the loop's next turn
  // (SIGHUP): after `docbus pki revoke` or `enroll`, no restart is needed.
  // Safe from any thread while the broker runs.
  void RequestReload();

  // False once the loop has ended (Stop, or a fatal error: see loop_status).
  bool running() const { return running_.load(); }
  Status loop_status() const;

  const std::string& zmq_endpoint() const { return zmq_endpoint_; }
  const std::string& http_url() const { return http_url_; }
  Metrics& metrics() { return *metrics_; }

  // The exit code main() uses for a Start() failure (see above).
  static int ExitCodeFor(const Status& start_failure);

 private:
  Broker() = default;
  void Run();

  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<BrokerLoop> loop_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};
  mutable std::mutex status_mu_;
  Status loop_status_;
  std::string zmq_endpoint_;
  std::string http_url_;
  std::string endpoints_file_;
  bool stopped_ = false;
};

}  // namespace docbus::broker
