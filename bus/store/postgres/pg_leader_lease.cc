#include "bus/store/postgres/pg_leader_lease.h"

#include "bus/core/log.h"
#include "bus/store/postgres/pg_schema.h"

namespace docbus::store::pg {
namespace {

// The session advisory lock of the active broker (per database).
constexpr const char* kTryLock =
    "SELECT pg_try_advisory_lock(6873014657140330)::integer";

}  // namespace

Result<std::unique_ptr<PgLeaderLease>> PgLeaderLease::Create(
    const LeaseOptions& options) {
  DOCBUS_RETURN_IF_ERROR(DescribeDsn(options.dsn).status());
  if (options.lease_ms < 500) {
    return Status(Code::kInvalidArgument, "a lease under 500 ms");
  }
  return std::unique_ptr<PgLeaderLease>(new PgLeaderLease(options));
}

PgLeaderLease::PgLeaderLease(const LeaseOptions& options)
    : options_(options), clock_(options.clock ? *options.clock : real_clock_) {}

PgLeaderLease::~PgLeaderLease() { Release(); }

Status PgLeaderLease::Connect() {
  const int64_t lease_ms = options_.lease_ms;
  auto setup = [lease_ms](PgConnection& conn) {
    // The server ends this session, and with it the lock, once the broker
    // has been silent for a lease; a takeover waits at most two leases for
    // a stale broker's turn to end (idle_in_transaction_session_timeout of
    // the store's connection).
    return conn.Exec(
        "SET application_name = 'docbus-broker lease';"
        "SET idle_session_timeout = " +
        std::to_string(lease_ms) +
        ";"
        "SET lock_timeout = " +
        std::to_string(2 * lease_ms));
  };
  if (conn_ && !conn_->lost()) return Status::Ok();
  conn_.reset();
  DOCBUS_ASSIGN_OR_RETURN(
      conn_, PgConnection::Connect(
                 options_.dsn, setup, clock_,
                 PgReconnectPolicy{.dead_server_ms = options_.lease_ms}));
  conn_->set_label("lease");
  backend_pid_ = conn_->backend_pid();
  if (!migrated_) {
    // The epoch row is in the schema: a standby may start on a database no
    // broker has opened yet.
    Status s = Migrate(*conn_);
    if (!s.ok()) {
      conn_.reset();
      return s;
    }
    migrated_ = true;
  }
  return Status::Ok();
}

Result<std::optional<int64_t>> PgLeaderLease::TryAcquire() {
  if (held_.load()) {
    return Status(Code::kFailedPrecondition, "the lease is held already");
  }
  Release();  // joins a heartbeat that ended on its own
  DOCBUS_RETURN_IF_ERROR(Connect());
  const int64_t sent_ms = clock_.MonotonicMillis();
  DOCBUS_ASSIGN_OR_RETURN(PgResult lock, conn_->Query(kTryLock));
  if (lock.Int(0, 0) != 1) {
    DOCBUS_ASSIGN_OR_RETURN(PgResult who,
                            conn_->Query("SELECT holder FROM broker_leader"));
    std::lock_guard guard(mu_);
    holder_ = who.rows() > 0 ? who.String(0, 0) : "";
    return std::optional<int64_t>();
  }
  // Waits for a turn of the previous holder still open (it holds the row
  // FOR SHARE) to end; from this commit on, that broker's turns are refused.
  DOCBUS_RETURN_IF_ERROR(conn_->Prepare(
      "lease_take",
      "UPDATE broker_leader SET epoch = epoch + 1, holder = $1, since = now() "
      "RETURNING epoch"));
  Result<PgResult> taken =
      conn_->Run("lease_take", PgParams().Text(options_.holder));
  if (!taken.ok()) {
    conn_.reset();  // the lock goes with the session
    return taken.status().Prefixed("taking the broker lease");
  }
  const int64_t epoch = taken->Int(0, 0);
  {
    std::lock_guard guard(mu_);
    holder_ = options_.holder;
    stop_ = false;
  }
  confirmed_ms_ = sent_ms;
  held_ = true;
  heartbeat_ = std::thread([this] { Heartbeat(); });
  return std::optional<int64_t>(epoch);
}

void PgLeaderLease::Heartbeat() {
  const auto interval = std::chrono::milliseconds(options_.lease_ms / 5);
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, interval, [this] { return stop_; })) {
    lock.unlock();
    const int64_t sent_ms = clock_.MonotonicMillis();
    Status s = conn_->Exec("SELECT 1");
    lock.lock();
    if (!s.ok()) {
      held_ = false;
      ComponentLogger("store")->error("lost the broker lease: {}",
                                      s.ToString());
      return;
    }
    confirmed_ms_ = sent_ms;
  }
}

bool PgLeaderLease::held() const {
  if (!held_.load()) return false;
  return clock_.MonotonicMillis() - confirmed_ms_.load() <
         options_.lease_ms / 2;
}

void PgLeaderLease::Release() {
  {
    std::lock_guard guard(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (!heartbeat_.joinable()) return;
  heartbeat_.join();
  held_ = false;
  conn_.reset();  // ends the session, and the lock with it
}

std::string PgLeaderLease::holder() const {
  std::lock_guard guard(mu_);
  return holder_;
}

}  // namespace docbus::store::pg
