// Broker: the docbus broker daemon as a library. Start() checks the
// configuration, takes the data folder, starts the HTTP listener (/metrics,
// /healthz, /v1/status, the dashboard), writes <data_dir>/endpoints.json and
// runs on its own thread.
//
// A broker is active or a standby (README.md, "Standby brokers"). On its own
// store (SQLite) it is always active. On a shared one (PostgreSQL) it is
// active only while it holds the store's lease (bus/store/leader_lease.h):
// a standby tries for the lease every kStandbyPollMs and binds nothing for
// agencies; once it holds it, it opens the store under the lease's epoch,
// checks the audit log against its latest signed checkpoint, binds the
// ROUTER and runs the loop (BrokerLoop). An active broker that loses the
// lease, or whose store refuses its epoch, logs it, closes its socket
// (agents move to the next broker of their list) and is a standby again.
// Stop() (or the destructor) ends the loop, signs a last checkpoint if
// active, gives the lease up, closes everything and removes endpoints.json.
//
// Thread-safety: Start/Stop/destructor from one owning thread; the
// accessors are safe from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "bus/broker/broker_options.h"
#include "bus/broker/broker_snapshot.h"
#include "bus/broker/status_http.h"
#include "bus/core/clock.h"
#include "bus/core/folder_lock.h"
#include "bus/core/metrics.h"
#include "bus/core/status.h"
#include "bus/store/leader_lease.h"

namespace docbus::broker {

class BrokerLoop;

class Broker {
 public:
  // How often a standby tries for the lease.
  static constexpr int64_t kStandbyPollMs = 250;

  // Errors (the message names the config key or file concerned):
  //   kCorruption / kFailedPrecondition  the stored audit log does not match
  //       the checkpoint the broker signed (refuse to start: exit 3);
  //   kInvalidArgument / kNotFound  a key, certificate, CRL or registry file
  //       is missing or unusable (bad configuration: exit 2);
  //   kUnavailable / kIoError / kInternal  cannot bind, cannot open the store.
  // A standby checks its keys and PKI at start; the store and the log are
  // checked when it takes over (a failure then stops it, see loop_status).
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

  // False once the broker has ended (Stop, or a fatal error: loop_status).
  bool running() const { return running_.load(); }
  bool active() const { return active_.load(); }
  Status loop_status() const;

  // The ROUTER's bound endpoint while active; the configured one otherwise.
  std::string zmq_endpoint() const;
  const std::string& http_url() const { return http_url_; }
  Metrics& metrics() { return *metrics_; }

  // The exit code main() uses for a Start() failure (see above).
  static int ExitCodeFor(const Status& start_failure);

 private:
  Broker(const BrokerOptions& options, const Clock& clock);
  Status Open();
  void Run();
  // Tries for the lease once (always succeeds without one) and, when held,
  // makes the loop. Ok with no loop while another broker is active.
  Status TryBecomeActive();
  // After the lease was lost: true when it could be taken again with no
  // other broker active in between, so the loop goes on (new epoch).
  bool RenewLease();
  void StepDown(const Status& why);
  void PublishStandbySnapshot();
  Status WriteEndpoints();
  StatusHttpHandlers::Health Health() const;

  BrokerOptions options_;
  const Clock& clock_;
  std::unique_ptr<Metrics> metrics_;
  std::optional<FolderLock> data_lock_;  // held while the broker runs
  std::unique_ptr<store::LeaderLease> lease_;
  SnapshotBox snapshots_;
  std::unique_ptr<StatusHttp> http_;
  std::unique_ptr<BrokerLoop> loop_;  // while active
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};
  std::atomic<bool> active_{false};
  std::atomic<bool> reload_requested_{false};
  mutable std::mutex mu_;  // guards loop_status_, zmq_endpoint_
  Status loop_status_;
  std::string zmq_endpoint_;
  std::string http_url_;
  std::string endpoints_file_;
  int64_t started_unix_ms_ = 0;
  bool stopped_ = false;
};

}  // namespace docbus::broker
