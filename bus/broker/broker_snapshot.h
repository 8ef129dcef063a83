// BrokerSnapshot: what operators see at /v1/status, taken by the broker
// loop about once a second and handed to the HTTP thread through a
// SnapshotBox. The loop never blocks on HTTP clients and HTTP never touches
// the store. SnapshotBox is thread-safe (one mutex); BrokerSnapshot is a
// plain value.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "bus/broker/turn_context.h"
#include "bus/crypto/national_pki.h"

namespace docbus::broker {

struct AgencyStatus {
  std::string agency;
  std::string name;  // from the registry
  bool online = false;
  int64_t queue_depth = 0;
  double oldest_undelivered_age_s = 0;  // 0 when nothing is queued
  int64_t in_flight = 0;
  int64_t credit = 0;
  int64_t certificate_not_after = 0;  // Unix seconds; 0: unknown
};

// The totals at one moment; the dashboard's rates are the differences of
// consecutive samples.
struct ActivitySample {
  int64_t unix_ms = 0;
  int64_t accepted = 0;
  int64_t delivered = 0;
  int64_t rejected = 0;
  double latency_s_total = 0;  // over `delivered`
};

struct BrokerSnapshot {
  // "active" (serving agencies) or "standby" (waiting for the lease; the
  // rest of the snapshot is then empty).
  std::string role = "active";
  int64_t epoch = 0;          // of the lease it is active under
  std::string active_broker;  // the lease's holder, as last seen
  int64_t taken_unix_ms = 0;
  int64_t started_unix_ms = 0;
  std::string log_origin;
  std::string zmq_endpoint;
  uint64_t audit_log_size = 0;
  uint64_t checkpoint_size = 0;
  // Agencies that are online or have something queued, by id.
  std::vector<AgencyStatus> agencies;
  crypto::PkiValidity pki;
  // The signed registry in force (0: registry files, no signed registry).
  uint64_t registry_serial = 0;
  // The file system of the data folder: bytes available and its size.
  int64_t data_free_bytes = 0;
  int64_t data_size_bytes = 0;
  // limits.min_free_bytes, and whether free space is below it (new
  // submissions and uploads refused resource_exhausted).
  int64_t data_min_free_bytes = 0;
  bool data_exhausted = false;
  // Every 10 s over the last 10 minutes, oldest first, then now.
  std::vector<ActivitySample> activity;
  std::vector<RecentRejection> recent_rejections;  // newest last
  BrokerCounters counters;
};

// The /v1/status JSON document:
// {"agencies_online": [...], "queue_depth": n, "oldest_undelivered_age_s": x,
//  "agencies": [{"agency", "online", "queue_depth", "oldest_undelivered_age_s",
//                "name", "in_flight", "credit", "certificate_not_after"}...],
//  "pki": {"root_not_after", "crl_next_update", "registry_serial", "certificates_expiring":
//          [{"agency", "not_after"}...] (within 30 days)},
//  "data": {"free_bytes", "size_bytes", "min_free_bytes", "exhausted"},
//  "activity": [{"t_unix_ms", "accepted_per_s", "delivered_per_s",
//                "rejected_per_s", "mean_latency_s"}...] (oldest first),
//  "recent_rejections": [{"t_unix_ms", "agency", "kind", "message_id",
//                         "reason"}...] (newest first),
//  "counters": {"accepted", ...}, "audit_log_size", "checkpoint_size",
//  "log_origin", "uptime_s", "taken_unix_ms", "role", "epoch",
//  "active_broker"}
std::string SnapshotJson(const BrokerSnapshot& snapshot);

class SnapshotBox {
 public:
  void Publish(BrokerSnapshot snapshot) {
    std::lock_guard lock(mu_);
    snapshot_ = std::move(snapshot);
  }
  BrokerSnapshot Get() const {
    std::lock_guard lock(mu_);
    return snapshot_;
  }

 private:
  mutable std::mutex mu_;
  BrokerSnapshot snapshot_;
};

}  // namespace docbus::broker
