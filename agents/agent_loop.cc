#include "agents/agent_loop.h"

#include <zmq.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "agents/agent_metrics.h"
#include "bus/core/crash_point.h"
#include "bus/core/log.h"

namespace docbus::agent {
namespace {

constexpr int64_t kMaxWaitMs = 1000;
constexpr int64_t kBlockedRetryMs = 5;
constexpr size_t kMaxQueuedReplies = 100000;

}  // namespace

Result<std::unique_ptr<AgentLoop>> AgentLoop::Create(
    LoopDeps deps, zmq::context_t& zmq_context,
    const transport::AgentSocketOptions& socket_options) {
  DOCBUS_ASSIGN_OR_RETURN(std::unique_ptr<AgentStore> store,
                          AgentStore::Open(deps.data_dir));
  std::unique_ptr<AgentLoop> loop(
      new AgentLoop(std::move(deps), std::move(store)));
  DOCBUS_ASSIGN_OR_RETURN(
      loop->publisher_,
      OwnLogPublisher::Open(loop->deps_.data_dir, loop->log_->origin(),
                            loop->logger_));
  loop->tracker_ = std::make_unique<CheckpointTracker>(
      loop->deps_.broker_log_verifier, loop->deps_.data_dir / "evidence",
      loop->deps_.clock, loop->deps_.metrics, loop->logger_,
      loop->deps_.witness_policy);
  DOCBUS_RETURN_IF_ERROR(loop->tracker_->Load(*loop->store_));
  DOCBUS_ASSIGN_OR_RETURN(loop->pending_, loop->store_->CountPending());
  DOCBUS_ASSIGN_OR_RETURN(int64_t audit_size, loop->log_->Size());
  loop->deps_.metrics.Set(metric::kOutboxPending, "",
                          static_cast<double>(loop->pending_));
  loop->deps_.metrics.Set(metric::kAuditSize, "",
                          static_cast<double>(audit_size));
  loop->deps_.metrics.Set(metric::kConnected, "", 0);
  loop->connectivity_ = std::make_unique<BrokerConnectivity>(
      loop->deps_.clock, socket_options.endpoint,
      loop->deps_.options.offline_after_ms);
  DOCBUS_ASSIGN_OR_RETURN(loop->socket_, transport::AgentSocket::Connect(
                                             zmq_context, socket_options));
  return loop;
}

AgentLoop::AgentLoop(LoopDeps deps, std::unique_ptr<AgentStore> store)
    : deps_(std::move(deps)),
      logger_(ComponentLogger("agent")),
      store_(std::move(store)),
      log_(std::make_unique<audit::AuditLog>(
          store_->log_storage(), OwnLogPublisher::Origin(deps_.agency_id),
          &deps_.clock)),
      ctx_{deps_.agency_id,      *store_,      *log_,
           deps_.pki.verifier(), deps_.signer, deps_.clock,
           deps_.metrics,        deps_.limits, logger_},
      documents_(ctx_),
      notices_(ctx_),
      answers_(ctx_),
      outbox_files_(deps_.data_dir),
      sender_(deps_.options.window, deps_.options.max_in_flight_bytes,
              deps_.options.retransmit_ms, outbox_files_, deps_.metrics,
              logger_),
      files_(deps_.data_dir),
      fetcher_(deps_.options.retransmit_ms,
               static_cast<uint64_t>(deps_.limits.max_document_bytes), *store_,
               files_, deps_.metrics, logger_),
      pool_(deps_.options.verify_threads >= 0 ? deps_.options.verify_threads
                                              : WorkerPool::DefaultThreads(),
            "agent-crypto") {}

AgentLoop::~AgentLoop() = default;

void AgentLoop::RequestStop() {
  stop_ = true;
  deps_.queue.Wake();
}

Status AgentLoop::Run() {
  logger_->info("agent loop started agency={} pending={}", deps_.agency_id,
                pending_);
  while (!stop_.load()) Turn();
  Status published = publisher_->Publish(*store_, *log_);
  if (!published.ok()) {
    logger_->error("publishing the own log at shutdown failed: {}",
                   published.ToString());
  }
  SetConnected(false);
  connectivity_->Update(false);
  logger_->info("agent loop stopped agency={} pending={}", deps_.agency_id,
                pending_);
  return Status::Ok();
}

bool AgentLoop::Send(std::string_view frame) {
  return socket_->Send(frame) == transport::SendResult::kSent;
}

int64_t AgentLoop::NextTimeoutMs(int64_t now) {
  if (stop_.load()) return 0;
  int64_t deadline = now + kMaxWaitMs;
  // connected() reads the monitor's events; a handshake seen there must not
  // wait for the next wake-up to be answered with Hello.
  const bool connected = socket_->connected();
  CheckReconnected();
  if (fetcher_.has_complete()) return 0;
  if (send_blocked_ || (hello_wanted_ && connected)) {
    deadline = std::min(deadline, now + kBlockedRetryMs);
  }
  if (session_ready_) {
    deadline = std::min({deadline, next_checkpoint_ms_, next_retransmit_ms_});
  } else if (last_hello_ms_ >= 0) {
    deadline =
        std::min(deadline, last_hello_ms_ + deps_.options.hello_retry_ms);
  }
  deadline = std::min(deadline, next_publish_ms_);
  if (const int64_t until = connectivity_->MillisUntilOffline(); until >= 0) {
    deadline = std::min(deadline, now + until);
  }
  return std::max<int64_t>(0, deadline - now);
}

void AgentLoop::Turn() {
  const int64_t start = deps_.clock.MonotonicMillis();
  zmq_pollitem_t items[3] = {
      // POLLOUT too while answers wait for room in the socket's queue.
      {socket_->socket().handle(), 0,
       static_cast<short>(replies_.empty() ? ZMQ_POLLIN
                                           : ZMQ_POLLIN | ZMQ_POLLOUT),
       0},
      {socket_->monitor_socket().handle(), 0, ZMQ_POLLIN, 0},
      {nullptr, deps_.queue.wake_fd(), ZMQ_POLLIN, 0},
  };
  const int rc = zmq_poll(items, 3, static_cast<long>(NextTimeoutMs(start)));
  if (rc < 0 && zmq_errno() != EINTR) {
    logger_->error("poll failed: {}", zmq_strerror(zmq_errno()));
  }
  if ((items[2].revents & ZMQ_POLLIN) != 0) deps_.queue.ClearWake();
  FlushReplies();

  CheckReconnected();
  if (!socket_->connected()) {
    session_ready_ = false;
    SetConnected(false);
  }

  std::deque<InboundFrame> frames;
  while (frames.size() < deps_.options.max_frames_per_turn) {
    Result<std::optional<std::string>> got = socket_->TryReceive();
    if (!got.ok()) {
      logger_->error("receiving from the broker failed: {}",
                     got.status().ToString());
      break;
    }
    if (!got->has_value()) break;
    frames.emplace_back().payload = std::move(**got);
  }
  for (FetchedDocument& complete : fetcher_.TakeComplete()) {
    InboundFrame& in = frames.emplace_back();
    in.frame = std::move(complete.frame);
    in.parsed = true;
    in.assembled = true;
    if (complete.in_files) in.fetched = std::move(complete.fetched);
  }
  std::vector<SubmissionQueue::Item> submissions =
      deps_.queue.TakeAll(deps_.options.max_submissions_per_turn);
  if (!frames.empty() || !submissions.empty())
    ProcessBatch(frames, submissions);
  RunTimers(deps_.clock.MonotonicMillis());
  ReportConnectivity();
}

void AgentLoop::Prepare(InboundFrame& in) const {
  if (!in.assembled) in.parsed = in.frame.ParseFromString(in.payload);
  if (!in.parsed || !in.frame.has_deliver()) return;
  const v1::Deliver& d = in.frame.deliver();
  switch (d.payload_case()) {
    case v1::Deliver::kDocument:
      documents_.Prepare(d.document(), &in.document,
                         in.fetched.has_value() ? &*in.fetched : nullptr);
      break;
    case v1::Deliver::kReceipt:
      notices_.PrepareReceipt(d.receipt(), &in.notice);
      break;
    case v1::Deliver::kStatus:
      notices_.PrepareStatus(d.status(), &in.notice);
      break;
    default:
      break;
  }
}

void AgentLoop::ProcessBatch(std::deque<InboundFrame>& frames,
                             std::vector<SubmissionQueue::Item>& items) {
  out_.Clear();
  ctx_.verifier = deps_.pki.verifier();  // a reload applies from here on
  // Parsing and signature work first, on every core; the transaction then
  // holds only store work.
  pool_.Run(frames.size(), [&](size_t i) { Prepare(frames[i]); });
  std::vector<Status> item_status(items.size());
  const auto abort = [&](const Status& why) {
    store_->Rollback();
    log_->Reload();
    Status reloaded = tracker_->Load(*store_);
    if (!reloaded.ok())
      logger_->error("reloading the checkpoint: {}", reloaded.ToString());
    deps_.metrics.Add(metric::kStoreErrors);
    logger_->error("store transaction failed, rolled back agency={}: {}",
                   deps_.agency_id, why.ToString());
    for (SubmissionQueue::Item& item : items) item.done.set_value(why);
  };
  // Latency figures only (not logic): the steady clock's microseconds.
  const auto t0 = std::chrono::steady_clock::now();
  if (Status s = store_->Begin(); !s.ok()) return abort(s);
  for (size_t i = 0; i < items.size(); ++i) {
    Status s = store_->AddOutbox(items[i].entry);
    if (s.ok() && items[i].status_sent.has_value()) {
      s = store_->AddStatusSent(*items[i].status_sent);
    }
    if (s.code() == Code::kAlreadyExists) {
      item_status[i] = s;  // only this statement was undone
    } else if (!s.ok()) {
      return abort(s);
    }
  }
  for (InboundFrame& frame : frames) {
    if (Status s = HandleFrame(frame, out_); !s.ok()) return abort(s);
  }
  CrashPoint("agent.before_commit");
  const auto t1 = std::chrono::steady_clock::now();
  if (Status s = store_->Commit(); !s.ok()) return abort(s);
  CrashPoint("agent.after_commit");
  const auto t2 = std::chrono::steady_clock::now();
  deps_.metrics.Observe(metric::kTurnSeconds, "",
                        std::chrono::duration<double>(t2 - t0).count());
  deps_.metrics.Observe(metric::kCommitSeconds, "",
                        std::chrono::duration<double>(t2 - t1).count());

  // Committed: now it is true, tell everyone.
  for (size_t i = 0; i < items.size(); ++i) {
    SubmissionQueue::Item& item = items[i];
    if (item_status[i].ok()) {
      ++pending_;
      deps_.metrics.Add(metric::kSubmitted);
      sender_.OnCommitted(PendingFrame{item.entry.seq, item.entry.message_id,
                                       std::move(item.entry.frame),
                                       item.entry.attachments_in_files});
    }
    item.done.set_value(item_status[i]);
  }
  pending_ += out_.pending_delta;
  for (const std::string& id : out_.answered) sender_.OnAnswered(id);
  if (deps_.answers != nullptr) deps_.answers->Answered(out_.answered);
  const auto send = [this](std::string_view f) { return Send(f); };
  const int64_t now = deps_.clock.MonotonicMillis();
  for (const std::string& id : out_.unavailable) {
    sender_.OnUnavailable(id, now, send);
  }
  for (const v1::ChunkStored& stored : out_.chunks_stored) {
    sender_.OnChunkStored(stored, now, send);
  }
  for (auto& effect : out_.after_commit) effect();
  deps_.metrics.Set(metric::kOutboxPending, "", static_cast<double>(pending_));
  if (Result<int64_t> size = log_->Size(); size.ok()) {
    deps_.metrics.Set(metric::kAuditSize, "", static_cast<double>(*size));
  }
  for (std::string& reply : out_.replies) QueueReply(std::move(reply));
  if (out_.credit_count > 0) {
    QueueReply(CreditFrame(out_.credit_count, out_.credit_bytes));
  }
  FlushReplies();
}

void AgentLoop::QueueReply(std::string frame) {
  if (replies_.size() >= kMaxQueuedReplies) {
    // The broker stopped reading: it will deliver again what we do not
    // acknowledge, so dropping an answer loses nothing.
    deps_.metrics.Add(metric::kBadFrames, Label("reason", "reply_dropped"));
    return;
  }
  replies_.push_back(std::move(frame));
}

void AgentLoop::FlushReplies() {
  while (!replies_.empty() && Send(replies_.front())) replies_.pop_front();
}

Status AgentLoop::HandleFrame(InboundFrame& in, TurnOutput& out) {
  if (!in.parsed) {
    deps_.metrics.Add(metric::kBadFrames, Label("reason", "malformed"));
    logger_->warn("a frame from the broker does not parse agency={} bytes={}",
                  deps_.agency_id, in.payload.size());
    return Status::Ok();
  }
  const v1::Frame& frame = in.frame;
  switch (frame.body_case()) {
    case v1::Frame::kWelcome:
      OnWelcome(frame.welcome());
      return Status::Ok();
    case v1::Frame::kAccepted:
      return answers_.OnAccepted(frame.accepted(), out);
    case v1::Frame::kRejected:
      return answers_.OnRejected(frame.rejected(), out);
    case v1::Frame::kDeliver: {
      const v1::Deliver& d = frame.deliver();
      if (!in.assembled) {
        out.credit_count += 1;
        out.credit_bytes += in.payload.size();
      }
      switch (d.payload_case()) {
        case v1::Deliver::kDocument:
          if (d.document().chunked() && in.document.early.ok()) {
            // Fetched unless it is in the inbox already (then Handle acks
            // it again) or refused at sight (Handle refuses it).
            DOCBUS_ASSIGN_OR_RETURN(
                std::optional<InboxEntry> stored,
                store_->FindInbox(in.document.header.message_id()));
            if (!stored.has_value()) return fetcher_.Add(d);
          }
          return documents_.Handle(d.delivery_id(), in.document, out);
        case v1::Deliver::kReceipt:
          return notices_.HandleReceipt(d.delivery_id(), d.receipt(), in.notice,
                                        out);
        case v1::Deliver::kStatus:
          return notices_.HandleStatus(d.delivery_id(), d.status(), in.notice,
                                       out);
        case v1::Deliver::kDeadLetter:
          return notices_.HandleDeadLetter(d.delivery_id(), d.dead_letter(),
                                           out);
        case v1::Deliver::PAYLOAD_NOT_SET:
          break;
      }
      RefuseDelivery(ctx_, "delivery", d.delivery_id(),
                     Status(Code::kMalformed, "empty delivery"), "", out);
      return Status::Ok();
    }
    case v1::Frame::kCheckpointUpdate:
      // The tracker logs and counts every outcome itself.
      return tracker_->OnUpdate(frame.checkpoint_update(), *store_).status();
    case v1::Frame::kError:
      OnBrokerError(frame.error());
      return Status::Ok();
    case v1::Frame::kPing:
      out.replies.push_back(PongFrame(frame.ping().nonce()));
      return Status::Ok();
    case v1::Frame::kChunk:
      return fetcher_.OnChunk(frame.chunk());
    case v1::Frame::kChunkStored:
      out.chunks_stored.push_back(frame.chunk_stored());
      return Status::Ok();
    case v1::Frame::kRegistryUpdate:
      // The follower logs and counts a refusal itself, once.
      if (deps_.registry_follower != nullptr) {
        (void)deps_.registry_follower->Offer(
            frame.registry_update().signed_registry());
      }
      return Status::Ok();
    case v1::Frame::kPong:
    case v1::Frame::kProofResponse:
      return Status::Ok();
    default:
      deps_.metrics.Add(metric::kBadFrames, Label("reason", "unexpected"));
      logger_->warn("unexpected frame type {} from the broker agency={}",
                    static_cast<int>(frame.body_case()), deps_.agency_id);
      return Status::Ok();
  }
}

void AgentLoop::RunTimers(int64_t now) {
  CheckReconnected();
  if (!session_ready_) {
    const bool retry = last_hello_ms_ >= 0 &&
                       now - last_hello_ms_ >= deps_.options.hello_retry_ms;
    if ((hello_wanted_ || retry) && socket_->connected()) SendHello(now);
  }
  if (session_ready_) {
    Status filled = sender_.Fill(
        *store_, now, [this](std::string_view f) { return Send(f); });
    if (!filled.ok())
      logger_->error("reading the outbox: {}", filled.ToString());
    send_blocked_ = sender_.has_waiting() && !sender_.window_full();
    if (std::optional<std::string> fetch = fetcher_.NextFetch(now)) {
      Send(*fetch);
    }
    if (now >= next_retransmit_ms_) {
      sender_.Retransmit(now, [this](std::string_view f) { return Send(f); });
      next_retransmit_ms_ =
          now + std::max<int64_t>(deps_.options.retransmit_ms / 4, 10);
    }
    if (now >= next_checkpoint_ms_) {
      if (Send(CheckpointRequestFrame(tracker_->known_size()))) {
        next_checkpoint_ms_ = now + deps_.options.checkpoint_request_ms;
      }
    }
  } else {
    send_blocked_ = false;
  }
  if (now >= next_publish_ms_) {
    Status published = publisher_->Publish(*store_, *log_);
    if (!published.ok()) {
      logger_->error("publishing the own log failed: {}", published.ToString());
    }
    next_publish_ms_ = now + deps_.options.publish_interval_ms;
    ReportDiskSpace();
  }
}

void AgentLoop::ReportDiskSpace() {
  if (deps_.disk != nullptr) {
    // Also where leaving the state is noticed (and logged) when no one
    // submits.
    deps_.metrics.Set(metric::kDiskExhausted, "",
                      deps_.disk->Read().exhausted ? 1 : 0);
  }
  std::error_code ec;
  const std::filesystem::space_info space =
      std::filesystem::space(deps_.data_dir, ec);
  if (ec) return;
  deps_.metrics.Set(metric::kDataFree, "",
                    static_cast<double>(space.available));
  deps_.metrics.Set(metric::kDataSize, "", static_cast<double>(space.capacity));
}

}  // namespace docbus::agent
