// BrokerLoop: everything the broker loop thread owns -- the store, the audit
// log and its checkpointer, the sessions, the ROUTER socket with its ZAP
// handler, the HTTP listener -- and one loop turn:
//
//   poll (timeout = the next timer, at most 50 ms)
//   drain up to max_frames_per_turn frames
//   BEGIN; handle each frame (+ expiry when due); COMMIT
//   send every answer of the turn (never before the commit)
//   sign/publish a checkpoint when due
//   retransmit overdue deliveries; deliver within each agency's credit
//   publish the status snapshot when due
//
// Between turns, on request (SIGHUP), the registry and the CRL are loaded
// again: new connections, signatures and open sessions follow them.
//
// A failed transaction is rolled back, its answers dropped (agents
// retransmit) and every session restarted from its queue.
//
// Thread-safety: Create on any thread, then RunTurn/Shutdown from one
// thread at a time (the loop thread). http_url/zmq_endpoint are immutable.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "bus/audit/audit_log.h"
#include "bus/broker/broker_options.h"
#include "bus/broker/broker_snapshot.h"
#include "bus/broker/checkpointer.h"
#include "bus/broker/delivery_dispatcher.h"
#include "bus/broker/session_table.h"
#include "bus/broker/status_http.h"
#include "bus/broker/turn_context.h"
#include "bus/core/folder_lock.h"
#include "bus/core/worker_pool.h"
#include "bus/crypto/national_pki.h"
#include "bus/crypto/verifier.h"
#include "bus/store/broker_store.h"
#include "bus/transport/broker_socket.h"
#include "bus/transport/zap_handler.h"

namespace docbus::broker {

class BrokerLoop {
 public:
  // See Broker::Start for the errors. `healthy` is read by /healthz.
  static Result<std::unique_ptr<BrokerLoop>> Create(
      const BrokerOptions& options, const Clock& clock, Metrics& metrics,
      const std::atomic<bool>& healthy);
  ~BrokerLoop();

  // One turn. Non-ok only for a fatal problem (socket or ZAP handler gone);
  // store failures are handled inside (rollback, retry).
  Status RunTurn();
  // A last checkpoint and snapshot before closing.
  void Shutdown();
  // From any thread: the registry and the CRL are read again from their
  // files before the next turn (pki_reload.cc). A file that does not load
  // changes nothing (logged, counted).
  void RequestReload() { reload_requested_ = true; }

  const std::string& zmq_endpoint() const { return socket_->endpoint(); }
  std::string http_url() const { return http_ ? http_->url() : std::string(); }

 private:
  BrokerLoop(const BrokerOptions& options, const Clock& clock,
             Metrics& metrics);
  Status Open(const std::atomic<bool>& healthy);
  // A drained frame, parsed, with its signature checked ahead.
  struct Received {
    Inbound in;
    v1::Frame frame;
    bool parsed = false;
    Status signature;
  };
  std::vector<Received> ParseAndVerify(
      std::vector<transport::BrokerSocket::Inbound>& frames);
  int64_t PollTimeoutMs(int64_t now_ms);
  // BEGIN, handle, COMMIT, send answers. False if the turn was rolled back.
  bool RunTransaction(std::vector<transport::BrokerSocket::Inbound>& frames,
                      bool expiry_due);
  void RecoverFromFailedTurn();
  void SendAnswers(std::vector<Outgoing>& answers);
  void AnswerCoveredProofs();
  void PublishSnapshot();
  void ReloadPki();

  BrokerOptions options_;
  const Clock& clock_;
  Metrics& metrics_;
  std::shared_ptr<spdlog::logger> log_;
  int64_t started_unix_ms_ = 0;

  std::unique_ptr<crypto::NationalPki> pki_;
  // pki_'s Verifier (and registry) as of start or the last reload, between
  // turns: the loop, its verify pool and ctx_ use this one.
  std::shared_ptr<const crypto::Verifier> verifier_;
  std::optional<FolderLock> data_lock_;  // held while the broker runs
  std::unique_ptr<store::BrokerStore> store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<Checkpointer> checkpointer_;
  SessionTable sessions_;
  std::unique_ptr<BrokerContext> ctx_;
  std::unique_ptr<DeliveryDispatcher> dispatcher_;
  std::unique_ptr<WorkerPool> verify_pool_;

  std::unique_ptr<zmq::context_t> zmq_;
  std::unique_ptr<transport::ZapHandler> zap_;
  std::unique_ptr<transport::BrokerSocket> socket_;
  SnapshotBox snapshot_;
  std::unique_ptr<StatusHttp> http_;

  int64_t next_expiry_ms_ = 0;
  int64_t next_snapshot_ms_ = 0;
  bool more_to_deliver_ = false;
  int64_t last_zap_refused_ = -1;
  std::atomic<bool> reload_requested_{false};
};

}  // namespace docbus::broker
