// BrokerLoop's picture for operators: about once a second the loop takes a
// BrokerSnapshot (agencies, queues, the PKI's expiry dates, free space, the
// activity of the last minutes, the latest rejections) for /v1/status and
// the dashboard, and sets the gauges of /metrics that go with it.
#include <algorithm>
#include <filesystem>

#include "bus/broker/broker_loop.h"
#include "bus/broker/broker_metrics.h"

namespace docbus::broker {

void BrokerLoop::PublishSnapshot() {
  const int64_t now = clock_.NowUnixMillis();
  next_snapshot_ms_ = clock_.MonotonicMillis() + options_.snapshot_interval_ms;
  BrokerSnapshot snap;
  snap.epoch = leadership_.epoch;
  snap.taken_unix_ms = now;
  snap.started_unix_ms = started_unix_ms_;
  snap.log_origin = options_.origin;
  snap.zmq_endpoint = socket_ ? socket_->endpoint() : "";
  snap.checkpoint_size = checkpointer_->size();
  auto size = audit_->Size();
  snap.audit_log_size = size.ok() ? static_cast<uint64_t>(*size) : 0;
  snap.counters = ctx_->counters;
  std::map<std::string, AgencyStatus> agencies;
  for (const auto& [agency, depth] : ctx_->queue_depth) {
    double age = 0;
    if (depth > 0) {
      auto oldest = store_->OldestQueuedUnixMillis(agency);
      if (oldest.ok() && oldest->has_value()) {
        age = std::max<double>(0, static_cast<double>(now - **oldest) / 1000.0);
      }
    }
    metrics_.Set(metric::kQueueDepth, Label("agency", agency),
                 static_cast<double>(depth));
    metrics_.Set(metric::kOldestUndelivered, Label("agency", agency), age);
    if (depth > 0) {
      AgencyStatus& a = agencies[agency];
      a.agency = agency;
      a.queue_depth = depth;
      a.oldest_undelivered_age_s = age;
    }
  }
  for (auto& [agency, s] : sessions_.sessions()) {
    AgencyStatus& a = agencies[agency];
    a.agency = agency;
    a.online = true;
    a.in_flight = static_cast<int64_t>(s.in_flight.size());
    a.credit = s.credit_count;
  }
  PublishPkiAndDisk(snap, agencies);
  constexpr int64_t kActivityStepMs = 10'000;
  constexpr size_t kActivitySamples = 61;  // 10 minutes of steps
  if (now >= next_activity_ms_) {
    next_activity_ms_ = now + kActivityStepMs;
    activity_.push_back({now, ctx_->counters.accepted, ctx_->counters.delivered,
                         ctx_->counters.rejected,
                         ctx_->delivery_latency_s_total});
    if (activity_.size() > kActivitySamples) activity_.pop_front();
  }
  snap.activity.assign(activity_.begin(), activity_.end());
  // The step in progress, so that the chart is never a step behind.
  snap.activity.push_back({now, ctx_->counters.accepted,
                           ctx_->counters.delivered, ctx_->counters.rejected,
                           ctx_->delivery_latency_s_total});
  snap.recent_rejections.assign(ctx_->recent_rejections.begin(),
                                ctx_->recent_rejections.end());
  for (auto& [agency, a] : agencies) snap.agencies.push_back(std::move(a));
  metrics_.Set(metric::kConnectedAgencies, "",
               static_cast<double>(sessions_.size()));
  metrics_.Set(metric::kAuditLogSize, "",
               static_cast<double>(snap.audit_log_size));
  metrics_.Set(metric::kCheckpointSize, "",
               static_cast<double>(snap.checkpoint_size));
  metrics_.Set(metric::kZapRefused, "",
               static_cast<double>(zap_ ? zap_->refused() : 0));
  snapshots_.Publish(std::move(snap));
}

void BrokerLoop::PublishPkiAndDisk(
    BrokerSnapshot& snap, std::map<std::string, AgencyStatus>& agencies) {
  snap.pki = pki_->validity();
  snap.registry_serial = ctx_->registry_serial;
  const std::shared_ptr<const registry::AgencyRegistry> registry =
      pki_->registry();
  metrics_.Set(metric::kCertificateNotAfter, Label("subject", "national root"),
               static_cast<double>(snap.pki.root_not_after));
  metrics_.Set(metric::kCrlNextUpdate, "",
               static_cast<double>(snap.pki.crl_next_update));
  for (const auto& [agency, not_after] : snap.pki.agencies) {
    metrics_.Set(metric::kCertificateNotAfter, Label("subject", agency),
                 static_cast<double>(not_after));
    metrics_.Set(metric::kAgencyConnected, Label("agency", agency),
                 sessions_.sessions().contains(agency) ? 1 : 0);
    auto known = agencies.find(agency);
    if (known == agencies.end()) continue;
    known->second.certificate_not_after = not_after;
    if (const registry::Agency* a = registry->Find(agency))
      known->second.name = a->name;
  }
  if (disk_ == nullptr) return;
  const DiskState disk = disk_->Read();
  snap.data_min_free_bytes = disk_->min_free_bytes();
  snap.data_exhausted = disk.exhausted;
  metrics_.Set(metric::kDiskExhausted, "", disk.exhausted ? 1 : 0);
  if (disk.known) {
    snap.data_free_bytes = disk.reading.free_bytes;
    snap.data_size_bytes = disk.reading.size_bytes;
    metrics_.Set(metric::kDataFree, "",
                 static_cast<double>(snap.data_free_bytes));
    metrics_.Set(metric::kDataSize, "",
                 static_cast<double>(snap.data_size_bytes));
  }
}

}  // namespace docbus::broker
