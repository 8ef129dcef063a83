// AgentLoop: the agent's protocol loop, the one thread that owns the
// AgentSocket (DEALER to the broker) and the store's writer connection.
//
// Each turn: wait for a frame, a submission from another thread, or the next
// timer; take every waiting frame and submission (bounded); handle them all
// in ONE transaction (new outbox entries, the broker's answers, deliveries
// with their inbox rows, receipts we sign and audit entries, checkpoints);
// commit; only then answer the callers, send the Acks/Refuses and give
// credit back, and send outbox entries. Hello{credit} goes out on every
// (re)connection and after Error{REASON_UNAVAILABLE}; submissions start once
// the broker's Welcome arrives; a Welcome naming a newer signed registry
// than ours is answered with RegistryRequest, and a RegistryUpdate goes to
// the RegistryFollower (in force from the next turn on). Timers: retransmission of unanswered
// submissions, CheckpointRequest, and the own log's checkpoint publication.
// Every turn it reports the session's state to its BrokerConnectivity: a
// session missing for longer than offline_after_ms is logged once (and its
// return once) and shown in the docbus_agent_broker_* gauges.
//
// Thread-safety: Run on one thread; RequestStop, connectivity() and the
// counters from any.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "agents/agent_store.h"
#include "agents/answer_watch.h"
#include "agents/attachment_files.h"
#include "agents/broker_connectivity.h"
#include "agents/checkpoint_tracker.h"
#include "agents/chunk_fetcher.h"
#include "agents/document_receiver.h"
#include "agents/notice_receiver.h"
#include "agents/outbox_sender.h"
#include "agents/outbox_files.h"
#include "agents/own_log_publisher.h"
#include "agents/registry_follower.h"
#include "agents/submission_answers.h"
#include "agents/submission_queue.h"
#include "agents/turn.h"
#include "bus/core/disk_space.h"
#include "bus/core/worker_pool.h"
#include "bus/crypto/national_pki.h"
#include "bus/transport/agent_socket.h"

namespace docbus::agent {

struct LoopOptions {
  size_t window = 1000;  // submissions in flight
  int64_t max_in_flight_bytes = int64_t{256} << 20;
  int64_t retransmit_ms = 5000;
  int64_t hello_retry_ms = 5000;
  int64_t checkpoint_request_ms = 5000;
  int64_t publish_interval_ms = 1000;  // own log checkpoints
  uint32_t credit_count = 1000;        // deliveries in flight to us
  uint64_t credit_bytes = uint64_t{256} << 20;
  size_t max_frames_per_turn = 1024;
  size_t max_submissions_per_turn = 1024;
  // Threads besides the loop that verify and sign a turn's deliveries;
  // -1: one less than the machine's cores.
  int verify_threads = -1;
  // Without a session for longer than this, the agent says so once (log,
  // docbus_agent_broker_offline, /healthz 503): broker.offline_after_ms.
  int64_t offline_after_ms = 15000;
};

// What the loop is built from. The referenced objects must outlive it.
struct LoopDeps {
  std::string agency_id;
  std::filesystem::path data_dir;
  const crypto::NationalPki& pki;
  const crypto::Signer& signer;
  const Clock& clock;
  Metrics& metrics;
  AgentLimits limits;
  LoopOptions options;
  SubmissionQueue& queue;
  audit::NoteVerifier broker_log_verifier;
  // The data folder's room for new work, for its gauges; nullptr: none.
  DiskSpace* disk = nullptr;
  // Set when the agent follows a signed registry (pki.signed_registry).
  RegistryFollower* registry_follower = nullptr;
  // Told, after each commit, which outbox entries the broker answered.
  AnswerWatch* answers = nullptr;
  // k-of-n witnesses a broker checkpoint needs; nullopt: none.
  std::optional<audit::WitnessPolicy> witness_policy;
};

class AgentLoop {
 public:
  // Opens the store (writer), the own log and its key, the broker checkpoint
  // we hold, and the socket (it connects in the background). Errors from
  // each, naming what failed.
  static Result<std::unique_ptr<AgentLoop>> Create(
      LoopDeps deps, zmq::context_t& zmq_context,
      const transport::AgentSocketOptions& socket_options);
  ~AgentLoop();

  // Runs turns until RequestStop; then publishes the own log once more.
  // Returns the fatal error that ended it, if any.
  Status Run();
  void RequestStop();

  // The session's state for the HTTP API (thread-safe).
  const BrokerConnectivity& connectivity() const { return *connectivity_; }
  const BrokerAuditStatus& broker_audit() const { return tracker_->status(); }

 private:
  AgentLoop(LoopDeps deps, std::unique_ptr<AgentStore> store);

  void Turn();
  int64_t NextTimeoutMs(int64_t now);
  // Forgets what was on its way (after a new connection or session).
  void ResetSession();
  // Starts over after a new connection (TakeReconnected): Hello, resend.
  void CheckReconnected();
  // A frame from the broker, parsed and with the checks that need no store
  // already made (on the worker pool).
  struct InboundFrame {
    std::string payload;
    bool parsed = false;
    v1::Frame frame;
    PreparedDocument document;
    PreparedNotice notice;
    // A chunked document completed by the ChunkFetcher: `frame` is set
    // (parsed, no payload), and its credit was given back when its Deliver
    // arrived.
    bool assembled = false;
    // Assembled with its attachments in files: the fetch's outcome.
    std::optional<Status> fetched;
  };
  void ProcessBatch(std::deque<InboundFrame>& frames,
                    std::vector<SubmissionQueue::Item>& items);
  // Parses and verifies, without the store; safe on any thread.
  void Prepare(InboundFrame& in) const;
  Status HandleFrame(InboundFrame& in, TurnOutput& out);
  void OnWelcome(const v1::Welcome& welcome);
  void OnBrokerError(const v1::Error& error);
  void RunTimers(int64_t now);
  void SendHello(int64_t now);
  bool Send(std::string_view frame);
  // Answers (Ack, Refuse, Credit, Pong) go out in order; those the socket
  // cannot take now wait in replies_ for the next turn.
  void QueueReply(std::string frame);
  void FlushReplies();
  void SetConnected(bool connected);
  // Updates connectivity_ and its gauges; logs a change once.
  void ReportConnectivity();
  // The data folder's file system: free and total bytes, as gauges.
  void ReportDiskSpace();

  LoopDeps deps_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<AgentStore> store_;
  std::unique_ptr<audit::AuditLog> log_;
  LoopContext ctx_;
  DocumentReceiver documents_;
  NoticeReceiver notices_;
  SubmissionAnswers answers_;
  OutboxFiles outbox_files_;  // the sending side's attachment bytes
  OutboxSender sender_;
  AttachmentFileStore files_;  // the receiving side's
  ChunkFetcher fetcher_;
  std::unique_ptr<CheckpointTracker> tracker_;
  std::unique_ptr<OwnLogPublisher> publisher_;
  std::unique_ptr<transport::AgentSocket> socket_;
  std::unique_ptr<BrokerConnectivity> connectivity_;
  WorkerPool pool_;
  TurnOutput out_;
  std::deque<std::string> replies_;

  std::atomic<bool> stop_{false};
  bool session_ready_ = false;  // Welcome received on this connection
  bool revoked_ = false;        // the broker said so; until the next Welcome
  bool hello_wanted_ = false;   // send Hello when possible
  bool connected_ = false;
  int64_t pending_ = 0;
  int64_t last_hello_ms_ = -1;
  int64_t next_checkpoint_ms_ = 0;
  int64_t next_publish_ms_ = 0;
  int64_t next_retransmit_ms_ = 0;
  bool send_blocked_ = false;  // the last Fill stopped on a full socket
};

}  // namespace docbus::agent
