#include "bus/broker/broker_snapshot.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace docbus::broker {

std::string SnapshotJson(const BrokerSnapshot& s) {
  nlohmann::json online = nlohmann::json::array();
  nlohmann::json agencies = nlohmann::json::array();
  int64_t depth = 0;
  double oldest = 0;
  for (const AgencyStatus& a : s.agencies) {
    if (a.online) online.push_back(a.agency);
    depth += a.queue_depth;
    oldest = std::max(oldest, a.oldest_undelivered_age_s);
    agencies.push_back(
        {{"agency", a.agency},
         {"name", a.name},
         {"online", a.online},
         {"queue_depth", a.queue_depth},
         {"oldest_undelivered_age_s", a.oldest_undelivered_age_s},
         {"in_flight", a.in_flight},
         {"credit", a.credit},
         {"certificate_not_after", a.certificate_not_after}});
  }
  constexpr int64_t kExpiringWithin = 30 * 86400;
  const int64_t now_s = s.taken_unix_ms / 1000;
  nlohmann::json expiring = nlohmann::json::array();
  for (const auto& [agency, not_after] : s.pki.agencies) {
    if (not_after != 0 && not_after - now_s < kExpiringWithin)
      expiring.push_back({{"agency", agency}, {"not_after", not_after}});
  }
  nlohmann::json activity = nlohmann::json::array();
  for (size_t i = 1; i < s.activity.size(); ++i) {
    const ActivitySample& a = s.activity[i - 1];
    const ActivitySample& b = s.activity[i];
    const double seconds = static_cast<double>(b.unix_ms - a.unix_ms) / 1000.0;
    if (seconds <= 0) continue;
    const int64_t delivered = b.delivered - a.delivered;
    activity.push_back(
        {{"t_unix_ms", b.unix_ms},
         {"accepted_per_s", static_cast<double>(b.accepted - a.accepted) / seconds},
         {"delivered_per_s", static_cast<double>(delivered) / seconds},
         {"rejected_per_s", static_cast<double>(b.rejected - a.rejected) / seconds},
         {"mean_latency_s",
          delivered > 0 ? (b.latency_s_total - a.latency_s_total) /
                              static_cast<double>(delivered)
                        : 0.0}});
  }
  nlohmann::json rejections = nlohmann::json::array();
  for (auto r = s.recent_rejections.rbegin(); r != s.recent_rejections.rend();
       ++r) {
    rejections.push_back({{"t_unix_ms", r->unix_ms},
                          {"agency", r->agency},
                          {"kind", r->kind},
                          {"message_id", r->message_id},
                          {"reason", r->reason}});
  }
  const BrokerCounters& c = s.counters;
  nlohmann::json doc = {
      {"role", s.role},
      {"epoch", s.epoch},
      {"active_broker", s.active_broker},
      {"log_origin", s.log_origin},
      {"zmq", s.zmq_endpoint},
      {"taken_unix_ms", s.taken_unix_ms},
      {"uptime_s",
       static_cast<double>(s.taken_unix_ms - s.started_unix_ms) / 1000.0},
      {"agencies_online", online},
      {"queue_depth", depth},
      {"oldest_undelivered_age_s", oldest},
      {"audit_log_size", s.audit_log_size},
      {"checkpoint_size", s.checkpoint_size},
      {"agencies", agencies},
      {"pki",
       {{"root_not_after", s.pki.root_not_after},
        {"crl_next_update", s.pki.crl_next_update},
        {"registry_serial", s.registry_serial},
        {"certificates_expiring", expiring}}},
      {"data",
       {{"free_bytes", s.data_free_bytes},
        {"size_bytes", s.data_size_bytes},
        {"min_free_bytes", s.data_min_free_bytes},
        {"exhausted", s.data_exhausted}}},
      {"activity", activity},
      {"recent_rejections", rejections},
      {"counters",
       {{"accepted", c.accepted},
        {"duplicates", c.duplicates},
        {"rejected", c.rejected},
        {"statuses", c.statuses},
        {"delivered", c.delivered},
        {"notified", c.notified},
        {"expired", c.expired},
        {"malformed_frames", c.malformed},
        {"not_permitted", c.not_permitted}}},
  };
  return doc.dump();
}

}  // namespace docbus::broker
