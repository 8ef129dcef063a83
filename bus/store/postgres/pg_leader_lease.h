// PgLeaderLease: the LeaderLease of brokers sharing one PostgreSQL database
// (FORMAT.md, "Which broker writes").
//
// The lease is a session advisory lock held on a connection of its own.
// Taking it, a broker increments the `broker_leader` epoch row, which every
// one of its store transactions then checks (PgBrokerStore, fence_epoch).
// The lock lasts as long as the session, and the session as long as it is
// heard from: it runs with `idle_session_timeout = lease_ms`, and a
// heartbeat thread sends a query every lease_ms / 5. So the database's own
// clock ends the lease of a broker that died (at once: the server sees the
// connection close), that is paused (SIGSTOP, a stalled VM) or that lost its
// network (after lease_ms), and a standby's next try takes it.
//
// held() turns false as soon as a heartbeat fails, and also when none has
// succeeded for lease_ms / 2 by the local monotonic clock -- a process that
// was paused knows it on waking, before its first send -- but the fence in
// the store is what makes a stale broker harmless, not this.
//
// Thread-safety: as LeaderLease. The connection is the caller's while not
// held and the heartbeat thread's while held.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bus/core/clock.h"
#include "bus/store/leader_lease.h"
#include "bus/store/postgres/pg_connection.h"

namespace docbus::store::pg {

struct LeaseOptions {
  std::string dsn;     // the store's libpq connection string
  std::string holder;  // how this broker names itself (host and listen)
  int64_t lease_ms = 5000;
  const Clock* clock = nullptr;  // nullptr = the real clock
};

class PgLeaderLease final : public LeaderLease {
 public:
  // Checks the DSN (kInvalidArgument); connects on the first TryAcquire.
  static Result<std::unique_ptr<PgLeaderLease>> Create(
      const LeaseOptions& options);
  ~PgLeaderLease() override;

  Result<std::optional<int64_t>> TryAcquire() override;
  bool held() const override;
  void Release() override;
  std::string holder() const override;

  // The server process of the lease's connection (tests end it).
  int backend_pid() const { return backend_pid_.load(); }

 private:
  explicit PgLeaderLease(const LeaseOptions& options);
  Status Connect();
  void Heartbeat();

  LeaseOptions options_;
  RealClock real_clock_;
  const Clock& clock_;
  std::unique_ptr<PgConnection> conn_;
  bool migrated_ = false;
  std::atomic<bool> held_{false};
  std::atomic<int64_t> confirmed_ms_{0};  // monotonic, last heartbeat sent
  std::atomic<int> backend_pid_{0};
  mutable std::mutex mu_;  // guards holder_, stop_
  std::string holder_;
  bool stop_ = false;
  std::condition_variable wake_;
  std::thread heartbeat_;
};

}  // namespace docbus::store::pg
