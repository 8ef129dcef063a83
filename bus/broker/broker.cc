#include "bus/broker/broker.h"

#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "bus/audit/tiles.h"
#include "bus/broker/broker_loop.h"
#include "bus/broker/broker_metrics.h"
#include "bus/core/log.h"

namespace docbus::broker {
namespace {

// How this broker names itself to the others in the lease row.
std::string HolderName(const BrokerOptions& options) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + " " + options.listen + " pid " +
         std::to_string(getpid());
}

void SetRole(Metrics& metrics, bool active) {
  metrics.Set(metric::kRole, Label("role", "active"), active ? 1 : 0);
  metrics.Set(metric::kRole, Label("role", "standby"), active ? 0 : 1);
}

}  // namespace

Broker::Broker(const BrokerOptions& options, const Clock& clock)
    : options_(options), clock_(clock), metrics_(std::make_unique<Metrics>()) {}

Result<std::unique_ptr<Broker>> Broker::Start(const BrokerOptions& options,
                                              const Clock& clock) {
  DOCBUS_RETURN_IF_ERROR(ValidateBrokerOptions(options));
  std::unique_ptr<Broker> broker(new Broker(options, clock));
  DOCBUS_RETURN_IF_ERROR(broker->Open());
  broker->thread_ = std::thread([b = broker.get()] { b->Run(); });
  return broker;
}

Status Broker::Open() {
  started_unix_ms_ = clock_.NowUnixMillis();
  metric::DescribeBrokerMetrics(*metrics_);
  SetRole(*metrics_, false);
  {
    std::lock_guard lock(mu_);
    zmq_endpoint_ = options_.listen;
  }
  // One broker per data folder: a second one is refused here, naming the
  // first one's pid, before it touches anything.
  std::error_code ec;
  std::filesystem::create_directories(options_.data_dir, ec);
  if (ec) {
    return Status(Code::kIoError, "key 'broker.data_dir': cannot create " +
                                      options_.data_dir.string() + ": " +
                                      ec.message());
  }
  auto lock = FolderLock::TryAcquire(options_.data_dir / "lock");
  if (!lock.ok()) return lock.status().Prefixed("key 'broker.data_dir'");
  data_lock_.emplace(std::move(lock).value());

  store::StoreSelection selection = StoreSelectionOf(options_, &clock_);
  selection.holder = HolderName(options_);
  auto lease = store::OpenLeaderLease(selection);
  if (!lease.ok()) return lease.status().Prefixed("key 'store.dsn'");
  lease_ = std::move(lease).value();
  running_ = true;
  // Whoever can become active at start does so now, so a broker alone on
  // its store starts exactly as before: a bad store or log stops it here.
  DOCBUS_RETURN_IF_ERROR(TryBecomeActive());
  if (!loop_) {
    // A standby's keys, certificates and registry are checked now too (an
    // active broker's loop has just loaded them), not first at takeover.
    DOCBUS_RETURN_IF_ERROR(BrokerLoop::CheckKeys(options_, clock_));
    PublishStandbySnapshot();
  }

  if (!options_.http_listen.empty()) {
    StatusHttpHandlers handlers{
        [this] { return metrics_->Render(); },
        [this] { return SnapshotJson(snapshots_.Get()); },
        [this] { return Health(); }};
    auto http = StatusHttp::Start(options_.http_listen, std::move(handlers));
    if (!http.ok()) return http.status().Prefixed("key 'http.listen'");
    http_ = std::move(http).value();
    http_url_ = http_->url();
  }
  DOCBUS_RETURN_IF_ERROR(WriteEndpoints());
  ComponentLogger("broker")->info(
      "broker listening zmq={} http={} log_origin={} role={}", zmq_endpoint(),
      http_url_, options_.origin, loop_ ? "active" : "standby");
  return Status::Ok();
}

Status Broker::TryBecomeActive() {
  int64_t epoch = 0;
  if (lease_) {
    auto taken = lease_->TryAcquire();
    // Whatever stops a try (the database away, read-only, slow) passes.
    if (!taken.ok())
      return Status(Code::kUnavailable, taken.status().ToString());
    if (!taken->has_value()) return Status::Ok();
    epoch = **taken;
  }
  BrokerLoop::Leadership leadership{epoch, {}};
  if (lease_)
    leadership.still_active = [l = lease_.get()] { return l->held(); };
  auto loop = BrokerLoop::Create(options_, clock_, *metrics_, snapshots_,
                                 std::move(leadership));
  if (!loop.ok()) {
    if (lease_) lease_->Release();
    return loop.status();
  }
  loop_ = std::move(loop).value();
  {
    std::lock_guard lock(mu_);
    zmq_endpoint_ = loop_->zmq_endpoint();
  }
  active_ = true;
  SetRole(*metrics_, true);
  metrics_->Set(metric::kEpoch, "", static_cast<double>(epoch));
  if (lease_) {
    metrics_->Add(metric::kTakeovers);
    ComponentLogger("broker")->info(
        "this broker is now the active one: epoch={} zmq={}", epoch,
        zmq_endpoint());
  }
  return Status::Ok();
}

bool Broker::RenewLease() {
  if (!lease_ || loop_->refused_by_store()) return false;
  // The lease's session ended (a database restart, a cut connection) but
  // the store has not refused us: take the lease again, and go on only if
  // no other broker held it meanwhile -- its epoch is then ours plus one.
  // Tried for one lease (nothing is sent meanwhile), then given up.
  lease_->Release();
  const auto give_up = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(options_.lease_ms);
  auto taken = lease_->TryAcquire();
  while (!taken.ok() && !stop_.load() &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(kStandbyPollMs));
    taken = lease_->TryAcquire();
  }
  if (!taken.ok() || !taken->has_value()) return false;
  const int64_t epoch = **taken;
  if (epoch != loop_->epoch() + 1) {
    lease_->Release();  // another broker was active: this state is stale
    return false;
  }
  loop_->Renew(epoch);
  metrics_->Set(metric::kEpoch, "", static_cast<double>(epoch));
  ComponentLogger("broker")->warn(
      "took the broker lease again after its session ended, no other broker "
      "active meanwhile: epoch={}",
      epoch);
  return true;
}

void Broker::StepDown(const Status& why) {
  ComponentLogger("broker")->error(
      "stepping down to standby: {} (its agencies reconnect to the active "
      "broker)",
      why.ToString());
  loop_.reset();  // closes the socket; nothing more is written or sent
  if (lease_) lease_->Release();
  active_ = false;
  SetRole(*metrics_, false);
  metrics_->Add(metric::kStepDowns);
  {
    std::lock_guard lock(mu_);
    zmq_endpoint_ = options_.listen;
  }
  PublishStandbySnapshot();
}

void Broker::Run() {
  auto log = ComponentLogger("broker");
  // The lease is about real time passing (the server's clock ends it), so
  // standbys poll by the steady clock, whatever clock the broker is given.
  using Steady = std::chrono::steady_clock;
  Steady::time_point next_try;
  bool unreachable = false;
  while (!stop_.load()) {
    if (!loop_) {
      const Steady::time_point now = Steady::now();
      if (now < next_try) {
        std::this_thread::sleep_for(std::min<Steady::duration>(
            next_try - now, std::chrono::milliseconds(kStandbyPollMs)));
        continue;
      }
      next_try = now + std::chrono::milliseconds(kStandbyPollMs);
      Status s = TryBecomeActive();
      if (s.code() == Code::kUnavailable) {
        // The database is away: keep trying, say so once.
        if (!unreachable)
          log->warn("standby cannot try for the lease: {}", s.ToString());
        unreachable = true;
        continue;
      }
      unreachable = false;
      if (!s.ok()) {
        log->critical("cannot take over: {}", s.ToString());
        std::lock_guard lock(mu_);
        loop_status_ = s;
        break;
      }
      if (!loop_) {
        PublishStandbySnapshot();
        continue;
      }
      (void)WriteEndpoints();
    }
    if (reload_requested_.exchange(false)) loop_->RequestReload();
    Status s = loop_->RunTurn();
    if (s.code() == Code::kFenced) {
      if (!RenewLease()) StepDown(s);
      continue;
    }
    if (!s.ok()) {
      log->critical("broker loop stopped: {}", s.ToString());
      std::lock_guard lock(mu_);
      loop_status_ = s;
      break;
    }
  }
  if (loop_ && (!lease_ || lease_->held())) loop_->Shutdown();
  loop_.reset();
  if (lease_) lease_->Release();
  active_ = false;
  running_ = false;
}

void Broker::PublishStandbySnapshot() {
  BrokerSnapshot snap;
  snap.role = "standby";
  snap.active_broker = lease_ ? lease_->holder() : "";
  snap.log_origin = options_.origin;
  snap.taken_unix_ms = clock_.NowUnixMillis();
  snap.started_unix_ms = started_unix_ms_;
  snapshots_.Publish(std::move(snap));
}

StatusHttpHandlers::Health Broker::Health() const {
  if (!running_.load()) return {false, "broker loop not running"};
  if (!active_.load()) return {false, "standby"};
  return {true, "active"};
}

Status Broker::WriteEndpoints() {
  nlohmann::json endpoints = {{"zmq", zmq_endpoint()}};
  if (!http_url_.empty()) endpoints["http"] = http_url_;
  const auto file = options_.data_dir / "endpoints.json";
  Status s = audit::WriteFileAtomically(file, endpoints.dump() + "\n");
  if (!s.ok()) return s.Prefixed("key 'broker.data_dir'");
  endpoints_file_ = file.string();
  return Status::Ok();
}

std::string Broker::zmq_endpoint() const {
  std::lock_guard lock(mu_);
  return zmq_endpoint_;
}

Status Broker::Stop() {
  if (stopped_) return loop_status();
  stopped_ = true;
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  loop_.reset();
  if (lease_) lease_->Release();
  http_.reset();
  running_ = false;
  if (!endpoints_file_.empty()) {
    std::error_code ec;
    std::filesystem::remove(endpoints_file_, ec);
  }
  ComponentLogger("broker")->info("broker stopped");
  return loop_status();
}

Broker::~Broker() { (void)Stop(); }

void Broker::RequestReload() { reload_requested_ = true; }

Status Broker::loop_status() const {
  std::lock_guard lock(mu_);
  return loop_status_;
}

int Broker::ExitCodeFor(const Status& start_failure) {
  switch (start_failure.code()) {
    case Code::kCorruption:
    case Code::kFailedPrecondition:
      return 3;
    case Code::kInvalidArgument:
    case Code::kNotFound:
      return 2;
    default:
      return 1;
  }
}

}  // namespace docbus::broker
