// The state one loop turn works on. BrokerContext holds the broker's
// long-lived collaborators (store, audit log, verifier, registry, sessions,
// metrics); a Turn is one group commit: every frame drained in the turn is
// handled inside one open transaction, its answers are collected here and
// sent only after the commit succeeded, and a store failure marks the turn
// failed so the loop rolls everything back and sends nothing.
//
// Thread-safety: none; both belong to the broker loop thread.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/audit_log.h"
#include "bus/broker/broker_options.h"
#include "bus/broker/session_table.h"
#include "bus/core/clock.h"
#include "bus/core/disk_space.h"
#include "bus/core/metrics.h"
#include "bus/core/status.h"
#include "bus/crypto/verifier.h"
#include "bus/registry/agency_registry.h"
#include "bus/store/broker_store.h"
#include "bus/transport/peer.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::broker {

class Checkpointer;

// Totals since start, for /v1/status (the same events are in Metrics).
struct BrokerCounters {
  int64_t accepted = 0;
  int64_t duplicates = 0;
  int64_t rejected = 0;
  int64_t statuses = 0;
  int64_t delivered = 0;
  int64_t notified = 0;
  int64_t expired = 0;
  int64_t malformed = 0;
  int64_t not_permitted = 0;
};

// One refused submission, status or chunk, for the dashboard's list of the
// latest (no document content: who, what, why, when).
struct RecentRejection {
  int64_t unix_ms = 0;
  std::string agency;
  std::string kind;  // "document", "status" or "chunk"
  std::string message_id;
  std::string reason;  // snake_case code name
};

struct BrokerContext {
  const BrokerOptions& options;
  const Clock& clock;
  store::BrokerStore& store;
  audit::AuditLog& audit;
  // Replaced together when the registry and the CRL are reloaded.
  const crypto::Verifier* verifier;
  const registry::AgencyRegistry* registry;
  SessionTable& sessions;
  Metrics& metrics;
  Checkpointer& checkpointer;
  std::shared_ptr<spdlog::logger> log;
  // Queued deliveries per recipient, kept in step with the store (loaded at
  // start, reloaded after a rolled-back turn).
  std::map<std::string, int64_t, std::less<>> queue_depth;
  BrokerCounters counters;
  // Seconds from Accepted to receipt, summed over counters.delivered.
  double delivery_latency_s_total = 0;
  // The latest refusals, newest last (at most kRecentRejections).
  static constexpr size_t kRecentRejections = 20;
  std::deque<RecentRejection> recent_rejections;
  // Random bytes for audit event ids, drawn from the CSPRNG 4 KiB at a time
  // rather than 16 bytes per record.
  std::string event_id_pool;
  size_t event_id_next = 0;
  // Store failures (turns, checkpoints, delivery rounds) since a turn last
  // committed: an outage is logged at its first failure and at its end, not
  // once per turn (each one is counted in docbus_broker_store_failures_total).
  int64_t store_failures = 0;
  // The data folder's room for new work; nullptr = never refuse.
  DiskSpace* disk = nullptr;
  // The signed registry in force (null: the broker follows registry files)
  // and its serial, for Welcome and RegistryRequest.
  std::shared_ptr<const std::string> signed_registry;
  uint64_t registry_serial = 0;
};

// The store failed `what` (a turn, a checkpoint, a delivery round): counted
// in docbus_broker_store_failures_total, logged at error only at the first
// failure since a turn last committed (an outage is one line, not one per
// turn), at debug after that.
void NoteStoreFailure(BrokerContext& ctx, std::string_view what,
                      const Status& why);

// A refusal of `kind` ("document", "status", "chunk") from `agency`:
// counted in docbus_broker_rejected_total{reason} and the status counters,
// and kept among the recent rejections. The caller logs it.
void NoteRejected(BrokerContext& ctx, int64_t now_ms, std::string_view agency,
                  std::string_view kind, std::string_view message_id,
                  Code reason);

struct Inbound;
class Turn;

// Refuses new work of `kind` ("document", "chunk") while the data folder is
// below limits.min_free_bytes: answers Rejected resource_exhausted for `id`
// (the agent keeps it and sends it again later; nothing is audited, as for
// an upload that is not complete) and returns true. The one call at the top
// of the Submit and UploadChunk handlers.
bool RefusedForDiskSpace(Turn& turn, const Inbound& in, std::string_view kind,
                         std::string_view id,
                         std::string_view correlation_id = {});

// One message from an authenticated agency.
struct Inbound {
  transport::Peer peer;   // the connection it came on: answers go there
  std::string agency_id;  // the ZAP User-Id; never taken from the frame
  size_t frame_bytes = 0;
  size_t parts = 1;  // payload frames in the message; more than one is refused
  // The frame's signature (document, status or receipt) checked ahead of the
  // turn as `agency_id`'s by the VerifyPool; null when not checked yet.
  const Status* signature = nullptr;
};

// The signature check of `content` as `in.agency_id`'s: the precomputed
// result when there is one, otherwise Verifier::Verify now.
Status CheckSignature(const BrokerContext& ctx, const Inbound& in,
                      std::string_view content, std::string_view signature);

// An answer produced by a turn, sent after its commit.
struct Outgoing {
  transport::Peer peer;
  std::string payload;
};

class Turn {
 public:
  Turn(BrokerContext& context, int64_t now_unix_ms, int64_t now_monotonic_ms)
      : ctx(context), now_ms(now_unix_ms), mono_ms(now_monotonic_ms) {}

  BrokerContext& ctx;
  const int64_t now_ms;   // wall clock, for records and expiry
  const int64_t mono_ms;  // monotonic, for timers

  // Queues `frame` for `peer`, to be sent after the commit (and only if the
  // peer's connection is still open then).
  void Answer(const transport::Peer& peer, const v1::Frame& frame);
  void AnswerError(const transport::Peer& peer, v1::Reason reason,
                   std::string detail);
  // Rejected{id, why's reason and message}: a submission, status or chunk
  // refused. `correlation_id` is the one the Submit / SubmitStatus carried,
  // echoed when it is at most 128 bytes (wire.proto).
  void AnswerRejected(const transport::Peer& peer, std::string_view id,
                      const Status& why, std::string_view correlation_id = {});

  // A store or audit failure: the whole turn will be rolled back and none of
  // its answers sent (agents retransmit). Logged once.
  void Fail(const Status& status);
  bool failed() const { return !failure_.ok(); }
  const Status& failure() const { return failure_; }

  // Appends an audit record (time filled from now_ms); returns its index.
  Result<int64_t> Audit(v1::AuditRecord record);
  // Stores a queued delivery and lets the recipient's session know.
  Status Queue(store::DeliveryRecord& delivery);
  // Moves a queued delivery to done or dead and lands it if in flight.
  Status Finish(const store::DeliveryRecord& delivery,
                store::DeliveryState state);

  std::vector<Outgoing>& answers() { return answers_; }
  // True once anything was written in this turn's transaction.
  bool wrote() const { return wrote_; }

 private:
  std::vector<Outgoing> answers_;
  Status failure_;
  bool wrote_ = false;
};

// Serializes a frame (never fails for frames we build).
std::string SerializeFrame(const v1::Frame& frame);

}  // namespace docbus::broker
