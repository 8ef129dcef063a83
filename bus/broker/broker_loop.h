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
// again: new connections, signatures and open sessions follow them. With a
// signed registry instead (pki.signed_registry), the file is checked about
// once a second and a newer version is audited, put in force the same way
// and pushed to every session (registry_follow.cc).
//
// A failed transaction is rolled back, its answers dropped (agents
// retransmit) and every session restarted from its queue.
//
// On a shared store the loop exists only while its broker is the active
// one (bus/broker/README.md, "Standby brokers"): it is made with the epoch of
// the broker's lease, and RunTurn returns kFenced, before sending anything
// more, once the store refuses that epoch or `still_active` says the lease
// is no longer held. The broker then drops the loop: its socket closes and
// its agents move to the next broker of their list.
//
// Thread-safety: Create on any thread, then RunTurn/Shutdown from one
// thread at a time (the loop thread). http_url/zmq_endpoint are immutable.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "bus/audit/audit_log.h"
#include "bus/broker/broker_options.h"
#include "bus/broker/broker_snapshot.h"
#include "bus/broker/checkpointer.h"
#include "bus/broker/registry_publisher.h"
#include "bus/broker/delivery_dispatcher.h"
#include "bus/broker/session_table.h"
#include "bus/broker/turn_context.h"
#include "bus/core/worker_pool.h"
#include "bus/crypto/national_pki.h"
#include "bus/crypto/verifier.h"
#include "bus/store/broker_store.h"
#include "bus/transport/broker_socket.h"
#include "bus/transport/zap_handler.h"

namespace docbus::broker {

class BrokerLoop {
 public:
  // What the loop runs under: the lease epoch (0: a store of its own) and
  // whether the lease is still held (empty: always).
  struct Leadership {
    int64_t epoch = 0;
    std::function<bool()> still_active;
  };
  // See Broker::Start for the errors. Snapshots go to `snapshots`.
  static Result<std::unique_ptr<BrokerLoop>> Create(
      const BrokerOptions& options, const Clock& clock, Metrics& metrics,
      SnapshotBox& snapshots, Leadership leadership);
  ~BrokerLoop();

  // Checks that the keys, certificates and registry load (the errors of
  // Broker::Start), without opening anything.
  static Status CheckKeys(const BrokerOptions& options, const Clock& clock);

  // One turn. kFenced when the broker is no longer the active one (see
  // above); otherwise non-ok only for a fatal problem (socket or ZAP handler
  // gone); store failures are handled inside (rollback, retry).
  Status RunTurn();
  // A last checkpoint and snapshot before closing.
  void Shutdown();
  // From any thread: the registry and the CRL are read again from their
  // files before the next turn (pki_reload.cc). A file that does not load
  // changes nothing (logged, counted).
  void RequestReload() { reload_requested_ = true; }

  const std::string& zmq_endpoint() const { return socket_->endpoint(); }

  // True once the store refused this loop's epoch: another broker has been
  // active since, and this loop's state is stale.
  bool refused_by_store() const { return fenced_; }
  // The lease epoch the loop runs under (0: a store of its own).
  int64_t epoch() const { return leadership_.epoch; }
  // Goes on under a new epoch of the same lease, taken again after its
  // session ended while no other broker held it (Broker::RenewLease).
  void Renew(int64_t epoch);

 private:
  BrokerLoop(const BrokerOptions& options, const Clock& clock,
             Metrics& metrics, SnapshotBox& snapshots, Leadership leadership);
  struct Keys;
  static Result<Keys> LoadKeys(const BrokerOptions& options,
                               const Clock& clock, Metrics& metrics);
  Status Open();
  // kFenced once the lease is lost or the store refused our epoch.
  Status CheckStillActive() const;
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
  // The PKI's expiry dates and the data folder's free space, into `snap`,
  // the agencies' rows and the metrics (with each registered agency's
  // connected gauge).
  void PublishPkiAndDisk(BrokerSnapshot& snap,
                         std::map<std::string, AgencyStatus>& agencies);
  void ReloadPki();
  // The verifier and registry now in force at pki_ into the loop, the ZAP
  // handler and the sessions (closing those of agencies that may no longer
  // act); the number closed.
  size_t TakePkiInForce();
  // registry_follow.cc: a new version of the signed registry, when due.
  void FollowSignedRegistry(int64_t mono_ms);
  // Audits `registry` (what changed since `before`), puts it in force and
  // pushes it to every session. False, with nothing changed, when it could
  // not be audited or its CRL not installed.
  bool ApplySignedRegistry(const registry::VerifiedRegistry& registry,
                           const registry::AgencyRegistry* before);

  BrokerOptions options_;
  const Clock& clock_;
  Metrics& metrics_;
  std::shared_ptr<spdlog::logger> log_;
  int64_t started_unix_ms_ = 0;

  std::unique_ptr<crypto::NationalPki> pki_;
  // Set when the broker follows a signed registry (pki.signed_registry).
  std::unique_ptr<RegistryPublisher> registry_publisher_;
  // pki_'s Verifier (and registry) as of start or the last reload, between
  // turns: the loop, its verify pool and ctx_ use this one.
  std::shared_ptr<const crypto::Verifier> verifier_;
  std::unique_ptr<store::BrokerStore> store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<Checkpointer> checkpointer_;
  SessionTable sessions_;
  std::unique_ptr<DiskSpace> disk_;  // the data folder's room for new work
  std::unique_ptr<BrokerContext> ctx_;
  std::unique_ptr<DeliveryDispatcher> dispatcher_;
  std::unique_ptr<WorkerPool> verify_pool_;

  std::unique_ptr<zmq::context_t> zmq_;
  std::unique_ptr<transport::ZapHandler> zap_;
  std::unique_ptr<transport::BrokerSocket> socket_;
  SnapshotBox& snapshots_;
  Leadership leadership_;
  bool fenced_ = false;  // the store refused our epoch

  int64_t next_expiry_ms_ = 0;
  int64_t next_snapshot_ms_ = 0;
  // Totals every 10 s for the dashboard's chart (PublishSnapshot).
  std::deque<ActivitySample> activity_;
  int64_t next_activity_ms_ = 0;
  bool more_to_deliver_ = false;
  int64_t last_zap_refused_ = -1;
  std::atomic<bool> reload_requested_{false};
};

}  // namespace docbus::broker
