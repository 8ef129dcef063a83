#include "agents/broker_connectivity.h"

#include <algorithm>
#include <ctime>

namespace docbus::agent {

std::string FormatUtc(int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

BrokerConnectivity::BrokerConnectivity(const Clock& clock,
                                       std::string endpoint,
                                       int64_t offline_after_ms)
    : clock_(clock),
      endpoint_(std::move(endpoint)),
      offline_after_ms_(offline_after_ms),
      since_unix_ms_(clock.NowUnixMillis()),
      since_monotonic_ms_(clock.MonotonicMillis()) {}

BrokerConnectivity::Change BrokerConnectivity::Update(bool connected) {
  std::lock_guard lock(mu_);
  if (connected != connected_) {
    connected_ = connected;
    if (!connected) {
      since_unix_ms_ = clock_.NowUnixMillis();
      since_monotonic_ms_ = clock_.MonotonicMillis();
    } else if (offline_reported_) {
      offline_reported_ = false;
      return Change::kBackOnline;
    }
    return Change::kNone;
  }
  if (!connected_ && !offline_reported_ && ReadLocked().offline) {
    offline_reported_ = true;
    return Change::kWentOffline;
  }
  return Change::kNone;
}

BrokerConnectivity::View BrokerConnectivity::ReadLocked() const {
  View v;
  v.connected = connected_;
  v.since_unix_ms = since_unix_ms_;
  if (!connected_) {
    v.disconnected_ms =
        std::max<int64_t>(0, clock_.MonotonicMillis() - since_monotonic_ms_);
    v.offline = v.disconnected_ms > offline_after_ms_;
  }
  return v;
}

BrokerConnectivity::View BrokerConnectivity::Read() const {
  std::lock_guard lock(mu_);
  return ReadLocked();
}

int64_t BrokerConnectivity::MillisUntilOffline() const {
  std::lock_guard lock(mu_);
  const View v = ReadLocked();
  if (v.connected || v.offline) return -1;
  return offline_after_ms_ - v.disconnected_ms + 1;
}

std::string BrokerConnectivity::Reason() const {
  const View v = Read();
  return "not connected to the broker at " + endpoint_ + " since " +
         FormatUtc(v.since_unix_ms);
}

}  // namespace docbus::agent
