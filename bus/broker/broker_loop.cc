#include "bus/broker/broker_loop.h"

#include <algorithm>
#include <filesystem>
#include <chrono>
#include <climits>
#include <fstream>
#include <sstream>

#include "bus/broker/broker_metrics.h"
#include "bus/broker/dead_letters.h"
#include "bus/broker/handlers.h"
#include "bus/core/chunks.h"
#include "bus/core/crash_point.h"
#include "bus/core/log.h"
#include "bus/store/store_backend.h"
#include "bus/transport/curve_keys.h"
#include "bus/transport/poll.h"
#include "bus/transport/registry_authenticator.h"

namespace docbus::broker {
namespace {

constexpr int64_t kMaxPollMs = 50;
constexpr size_t kExpiryBatch = 256;
constexpr size_t kMaxDeliveriesPerAgencyPerTurn = 512;

Status KeyError(std::string_view key, const Status& s) {
  return s.Prefixed("key '" + std::string(key) + "'");
}

Result<std::string> ReadTextFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  std::string text = out.str();
  while (!text.empty() &&
         (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

}  // namespace

BrokerLoop::BrokerLoop(const BrokerOptions& options, const Clock& clock,
                       Metrics& metrics, SnapshotBox& snapshots,
                       Leadership leadership)
    : options_(options),
      clock_(clock),
      metrics_(metrics),
      log_(ComponentLogger("broker")),
      snapshots_(snapshots),
      leadership_(std::move(leadership)) {}

BrokerLoop::~BrokerLoop() {
  socket_.reset();
  zap_.reset();
  if (zmq_) {
    try {
      zmq_->close();
    } catch (const zmq::error_t&) {
      // Closing at exit; nothing left to save.
    }
  }
}

Result<std::unique_ptr<BrokerLoop>> BrokerLoop::Create(
    const BrokerOptions& options, const Clock& clock, Metrics& metrics,
    SnapshotBox& snapshots, Leadership leadership) {
  std::unique_ptr<BrokerLoop> loop(new BrokerLoop(
      options, clock, metrics, snapshots, std::move(leadership)));
  DOCBUS_RETURN_IF_ERROR(loop->Open());
  return loop;
}

// Keys and the PKI: parsed once, never per message.
struct BrokerLoop::Keys {
  std::string curve_secret;
  std::optional<audit::NoteSigner> signer;
  std::unique_ptr<crypto::NationalPki> pki;
  std::unique_ptr<RegistryPublisher> registry_publisher;
};

Result<BrokerLoop::Keys> BrokerLoop::LoadKeys(const BrokerOptions& options,
                                              const Clock& clock,
                                              Metrics& metrics) {
  Keys keys;
  auto curve_secret = transport::ReadKeyFile(options.curve_secret_key);
  if (!curve_secret.ok())
    return KeyError("broker.curve_secret_key", curve_secret.status());
  keys.curve_secret = std::move(curve_secret).value();
  auto log_key = ReadTextFile(options.log_key);
  if (!log_key.ok()) return KeyError("audit.log_key", log_key.status());
  auto signer = audit::NoteSigner::FromKey(*log_key);
  if (!signer.ok()) return KeyError("audit.log_key", signer.status());
  if (signer->name() != options.origin) {
    return Status(Code::kInvalidArgument,
                  "key 'audit.origin': '" + options.origin +
                      "' differs from the name of audit.log_key ('" +
                      signer->name() + "')");
  }
  keys.signer.emplace(std::move(signer).value());
  if (!options.signed_registry.empty()) {
    DOCBUS_ASSIGN_OR_RETURN(
        keys.registry_publisher,
        RegistryPublisher::Open(options.signed_registry,
                                options.root_certificate, options.data_dir,
                                metrics));
    const registry::VerifiedRegistry& initial =
        keys.registry_publisher->initial();
    // Started from the registry in force before, when there was one: the
    // initial one is applied (and audited) once the store is open.
    const registry::VerifiedRegistry& start =
        keys.registry_publisher->previous()
            ? *keys.registry_publisher->previous()
            : initial;
    DOCBUS_ASSIGN_OR_RETURN(
        keys.pki, crypto::NationalPki::FromRegistry(options.root_certificate,
                                                    start.agencies,
                                                    start.crl_pem, clock));
    return keys;
  }
  DOCBUS_ASSIGN_OR_RETURN(
      keys.pki,
      crypto::NationalPki::Load(
          {options.root_certificate, options.crl, options.registry}, clock));
  return keys;
}

Status BrokerLoop::CheckKeys(const BrokerOptions& options, const Clock& clock) {
  Metrics scratch;
  return LoadKeys(options, clock, scratch).status();
}

Status BrokerLoop::Open() {
  started_unix_ms_ = clock_.NowUnixMillis();
  DOCBUS_ASSIGN_OR_RETURN(Keys keys, LoadKeys(options_, clock_, metrics_));
  pki_ = std::move(keys.pki);
  registry_publisher_ = std::move(keys.registry_publisher);
  verifier_ = pki_->verifier();

  // The store, and the audit log checked against its last checkpoint.
  store::StoreSelection selection = StoreSelectionOf(options_, &clock_);
  selection.fence_epoch = leadership_.epoch;
  auto store = store::OpenBrokerStore(selection);
  if (!store.ok()) {
    return KeyError(
        options_.store_backend == "sqlite" ? "broker.data_dir" : "store.dsn",
        store.status());
  }
  store_ = std::move(store).value();
  if (options_.wrap_store) store_ = options_.wrap_store(std::move(store_));
  audit_ = std::make_unique<audit::AuditLog>(store_->audit_storage(),
                                             options_.origin, &clock_);
  checkpointer_ = std::make_unique<Checkpointer>(
      *store_, *audit_, std::move(*keys.signer), options_.data_dir / "log",
      options_.checkpoint_interval_ms, metrics_, log_);
  DOCBUS_RETURN_IF_ERROR(checkpointer_->Recover(clock_.MonotonicMillis()));

  ctx_ =
      std::unique_ptr<BrokerContext>(new BrokerContext{options_,
                                                       clock_,
                                                       *store_,
                                                       *audit_,
                                                       verifier_.get(),
                                                       &verifier_->registry(),
                                                       sessions_,
                                                       metrics_,
                                                       *checkpointer_,
                                                       log_,
                                                       {},
                                                       {}});
  disk_ = std::make_unique<DiskSpace>(options_.data_dir, options_.min_free_bytes,
                                      clock_, log_);
  ctx_->disk = disk_.get();
  auto depths = store_->QueueDepths();
  if (!depths.ok()) return depths.status();
  for (auto& [agency, depth] : *depths)
    ctx_->queue_depth.emplace(agency, depth);

  // Transport: the ZAP handler first, so no client is ever let in unchecked.
  try {
    // One I/O thread: the listener then reports a connection ACCEPTED before
    // that thread can run its handshake, so no Hello is read ahead of its
    // connection's ACCEPTED (bus/transport/connection_tracker.h).
    zmq_ = std::make_unique<zmq::context_t>(1);
  } catch (const zmq::error_t& e) {
    return Status(Code::kInternal, std::string("zmq context: ") + e.what());
  }
  auto zap = transport::ZapHandler::Start(
      *zmq_, transport::RegistryAuthenticator(pki_->registry()));
  if (!zap.ok()) return zap.status();
  zap_ = std::move(zap).value();
  transport::BrokerSocketOptions socket_options;
  socket_options.endpoint = options_.listen;
  socket_options.curve_secret_z85 = keys.curve_secret;
  // Frames a little over the limit still arrive, so the sender is told
  // TOO_LARGE; far larger ones drop the connection in libzmq.
  socket_options.max_message_bytes =
      options_.max_frame_bytes + options_.max_frame_bytes / 2;
  auto socket = transport::BrokerSocket::Bind(*zmq_, socket_options);
  if (!socket.ok()) return KeyError("broker.listen", socket.status());
  socket_ = std::move(socket).value();
  dispatcher_ = std::make_unique<DeliveryDispatcher>(*ctx_, *socket_);
  verify_pool_ =
      std::make_unique<WorkerPool>(options_.verify_threads, "broker-verify");

  if (registry_publisher_) {
    const auto& previous = registry_publisher_->previous();
    const registry::VerifiedRegistry& initial = registry_publisher_->initial();
    if (previous && previous->serial == initial.serial) {
      registry_publisher_->Accepted(initial);  // in force, audited before
      ctx_->registry_serial = initial.serial;
      ctx_->signed_registry = registry_publisher_->signed_bytes();
    } else if (!ApplySignedRegistry(
                   initial, previous ? previous->agencies.get() : nullptr)) {
      return Status(Code::kUnavailable,
                    "pki.signed_registry: the registry could not be audited "
                    "or put in force (see the log)");
    }
  }

  const int64_t now = clock_.MonotonicMillis();
  next_expiry_ms_ = now;
  next_snapshot_ms_ = now;
  PublishSnapshot();
  return Status::Ok();
}

int64_t BrokerLoop::PollTimeoutMs(int64_t now_ms) {
  if (more_to_deliver_) return 0;
  int64_t next = std::min({next_expiry_ms_, next_snapshot_ms_,
                           checkpointer_->next_due_ms(),
                           dispatcher_->NextRetransmitDue()});
  return std::clamp<int64_t>(next - now_ms, 0, kMaxPollMs);
}

Status BrokerLoop::RunTurn() {
  if (!zap_->running()) {
    return Status(Code::kInternal,
                  "the ZAP handler stopped: refusing to run unauthenticated");
  }
  if (reload_requested_.exchange(false)) ReloadPki();
  if (registry_publisher_) FollowSignedRegistry(clock_.MonotonicMillis());
  zmq::socket_t* sockets[] = {&socket_->socket()};
  auto readable = transport::PollReadable(
      sockets,
      std::chrono::milliseconds(PollTimeoutMs(clock_.MonotonicMillis())));
  if (!readable.ok()) return readable.status();

  std::vector<transport::BrokerSocket::Inbound> frames;
  if ((*readable)[0]) {
    int64_t bytes = 0;
    while (frames.size() < options_.max_frames_per_turn &&
           bytes < options_.max_bytes_per_turn) {
      auto inbound = socket_->TryReceive();
      if (!inbound.ok()) return inbound.status();
      if (!inbound->has_value()) break;
      bytes += static_cast<int64_t>((*inbound)->payload.size());
      frames.push_back(std::move(**inbound));
    }
  }
  const int64_t mono = clock_.MonotonicMillis();
  const bool expiry_due = mono >= next_expiry_ms_;
  if (!frames.empty() || expiry_due) {
    if (!RunTransaction(frames, expiry_due)) return CheckStillActive();
  }

  Status s = checkpointer_->MaybeCheckpoint(mono);
  if (s.code() == Code::kFenced) fenced_ = true;
  if (!s.ok() && !fenced_) NoteStoreFailure(*ctx_, "checkpoint failed", s);
  // Nothing more is sent by a broker that may no longer be the active one.
  DOCBUS_RETURN_IF_ERROR(CheckStillActive());
  // Sessions whose connection ended send nothing more, before anything else
  // is sent this turn.
  socket_->Refresh();
  dispatcher_->CloseEndedSessions();
  AnswerCoveredProofs();

  auto resent = dispatcher_->Retransmit(mono);
  auto sent = dispatcher_->DeliverAll(mono, kMaxDeliveriesPerAgencyPerTurn,
                                      &more_to_deliver_);
  if (!resent.ok() || !sent.ok()) {
    NoteStoreFailure(*ctx_, "delivery failed",
                     !resent.ok() ? resent.status() : sent.status());
    more_to_deliver_ = false;
  } else if (*sent > 0) {
    CrashPoint("broker.after_deliver");
  }
  if (mono >= next_snapshot_ms_) PublishSnapshot();
  return Status::Ok();
}

bool BrokerLoop::RunTransaction(
    std::vector<transport::BrokerSocket::Inbound>& frames, bool expiry_due) {
  Turn turn(*ctx_, clock_.NowUnixMillis(), clock_.MonotonicMillis());
  Status s = store_->Begin();
  if (!s.ok()) {
    turn.Fail(s);
  } else {
    std::vector<Received> received = ParseAndVerify(frames);
    for (Received& r : received) {
      HandleFrame(turn, r.in, r.parsed ? &r.frame : nullptr);
      if (turn.failed()) break;
    }
    if (expiry_due && !turn.failed()) {
      auto more = ExpireDueDeliveries(turn, kExpiryBatch);
      auto abandoned =
          store_->DeleteUploadsBefore(turn.now_ms - kUploadLifetimeMs);
      if (abandoned.ok() && *abandoned > 0) {
        log_->info("deleted {} abandoned attachment uploads", *abandoned);
      }
      if (!abandoned.ok()) {
        turn.Fail(abandoned.status());
      } else if (!more.ok()) {
        turn.Fail(more.status());
      } else {
        next_expiry_ms_ =
            *more ? turn.mono_ms : turn.mono_ms + options_.expiry_interval_ms;
        sessions_.UnblockAll();
      }
    }
  }
  if (!frames.empty()) {
    metrics_.Observe(metric::kTurnFrames, "",
                     static_cast<double>(frames.size()));
    metrics_.Add(metric::kFramesReceived, "",
                 static_cast<double>(frames.size()));
  }
  if (!turn.failed()) {
    if (turn.wrote()) CrashPoint("broker.before_commit");
    const auto start = std::chrono::steady_clock::now();
    s = store_->Commit();
    metrics_.Observe(
        metric::kCommitLatency, "",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
    if (!s.ok()) turn.Fail(s);
  }
  if (turn.failed()) {
    (void)store_->Rollback();
    if (turn.failure().code() == Code::kFenced) {
      fenced_ = true;
      return false;
    }
    RecoverFromFailedTurn();
    return false;
  }
  if (turn.wrote()) CrashPoint("broker.after_commit");
  if (ctx_->store_failures > 0) {
    log_->info("the store takes writes again, after {} failures",
               ctx_->store_failures);
    ctx_->store_failures = 0;
  }
  SendAnswers(turn.answers());
  return true;
}

std::vector<BrokerLoop::Received> BrokerLoop::ParseAndVerify(
    std::vector<transport::BrokerSocket::Inbound>& frames) {
  std::vector<Received> received(frames.size());
  std::vector<size_t> to_verify;
  for (size_t i = 0; i < frames.size(); ++i) {
    Received& r = received[i];
    transport::BrokerSocket::Inbound& f = frames[i];
    r.in = Inbound{std::move(f.peer), std::move(f.agency_id), f.payload.size(),
                   f.parts, nullptr};
    r.parsed = f.parts == 1 && r.frame.ParseFromString(f.payload);
    f.payload.clear();
    // Only what will be handled is worth a signature check.
    if (r.parsed && SignedPartOf(r.frame).has_value() &&
        static_cast<int64_t>(r.in.frame_bytes) <= options_.max_frame_bytes &&
        sessions_.Find(r.in.agency_id) != nullptr) {
      to_verify.push_back(i);
    }
  }
  // Signatures are checked in parallel, ahead of the in-order handling.
  verify_pool_->Run(to_verify.size(), [&](size_t k) {
    Received& r = received[to_verify[k]];
    const SignedPart part = *SignedPartOf(r.frame);
    r.signature =
        verifier_->Verify(part.content, part.signature, r.in.agency_id);
  });
  for (size_t i : to_verify) received[i].in.signature = &received[i].signature;
  return received;
}

void BrokerLoop::Renew(int64_t epoch) {
  leadership_.epoch = epoch;
  store_->set_fence_epoch(epoch);
}

Status BrokerLoop::CheckStillActive() const {
  if (fenced_) {
    return Status(Code::kFenced, "the store refused this broker's epoch " +
                                     std::to_string(leadership_.epoch) +
                                     ": another broker is active");
  }
  if (leadership_.still_active && !leadership_.still_active()) {
    return Status(Code::kFenced, "the broker lease is no longer held");
  }
  return Status::Ok();
}

void BrokerLoop::RecoverFromFailedTurn() {
  audit_->Reload();
  auto depths = store_->QueueDepths();
  if (depths.ok()) {
    ctx_->queue_depth.clear();
    for (auto& [agency, depth] : *depths)
      ctx_->queue_depth.emplace(agency, depth);
  }
  sessions_.ResetAll();
  // Do not spin on a failing disk: the next expiry tick retries.
  next_expiry_ms_ = clock_.MonotonicMillis() + options_.expiry_interval_ms;
}

void BrokerLoop::SendAnswers(std::vector<Outgoing>& answers) {
  if (answers.empty()) return;
  // An answer goes only to the connection its frame came on: one that ended
  // meanwhile gets nothing, whoever presents its routing id now.
  socket_->Refresh();
  for (Outgoing& answer : answers) {
    // A gone or full peer retransmits what it sent and gets the same answer.
    if (socket_->Send(answer.peer, answer.payload) !=
        transport::SendResult::kSent) {
      log_->debug("answer not sent (peer gone or full)");
    }
  }
}

void BrokerLoop::AnswerCoveredProofs() {
  if (checkpointer_->deferred() == 0) return;
  for (auto& [peer, index] : checkpointer_->TakeCovered()) {
    v1::Frame frame;
    auto proof = checkpointer_->Proof(index);
    if (proof.ok()) {
      frame.mutable_proof_response()->set_audit_index(index);
      frame.mutable_proof_response()->set_tlog_proof(std::move(proof).value());
    } else {
      frame.mutable_error()->set_reason(v1::REASON_UNAVAILABLE);
      frame.mutable_error()->set_detail(proof.status().message());
    }
    (void)socket_->Send(peer, SerializeFrame(frame));
  }
}

void BrokerLoop::Shutdown() {
  Status s =
      checkpointer_->MaybeCheckpoint(clock_.MonotonicMillis(), /*force=*/true);
  if (!s.ok()) log_->error("final checkpoint failed: {}", s.ToString());
  AnswerCoveredProofs();
  PublishSnapshot();
}

}  // namespace docbus::broker
