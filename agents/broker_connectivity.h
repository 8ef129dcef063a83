// BrokerConnectivity: whether this agent has a session with its broker, and
// since when it has not. The loop reports each change; the HTTP API reads it
// for /healthz and to say why a document is pending. An agent is "offline"
// once it has had no session for longer than broker.offline_after_ms (since
// start when it never had one): documents then stay pending, and the
// operator should know.
//
// Thread-safety: every call from any thread (one mutex).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "bus/core/clock.h"

namespace docbus::agent {

class BrokerConnectivity {
 public:
  // What a reader sees at one moment.
  struct View {
    bool connected = false;
    bool offline = false;         // not connected for longer than the limit
    int64_t since_unix_ms = 0;    // when the session went down (or start)
    int64_t disconnected_ms = 0;  // 0 while connected
  };
  // What changed with an Update, for the loop to log once.
  enum class Change { kNone, kWentOffline, kBackOnline };

  // Counts from now (the agent's start), not connected.
  BrokerConnectivity(const Clock& clock, std::string endpoint,
                     int64_t offline_after_ms);

  // Records the session state as of now. kWentOffline the first time the
  // limit is passed without a session, kBackOnline when a session comes up
  // after that; kNone otherwise (the agent logs each change once).
  Change Update(bool connected);
  View Read() const;

  const std::string& endpoint() const { return endpoint_; }
  int64_t offline_after_ms() const { return offline_after_ms_; }
  // Milliseconds from now until the limit passes, so the loop wakes up in
  // time to say so; -1 when connected or already past it.
  int64_t MillisUntilOffline() const;

  // "not connected to the broker at <endpoint> since <UTC time>", the reason
  // /healthz and a pending document give.
  std::string Reason() const;

 private:
  View ReadLocked() const;

  const Clock& clock_;
  const std::string endpoint_;
  const int64_t offline_after_ms_;
  mutable std::mutex mu_;
  bool connected_ = false;
  bool offline_reported_ = false;
  int64_t since_unix_ms_;
  int64_t since_monotonic_ms_;
};

// "2026-12-06T19:30:00Z".
std::string FormatUtc(int64_t unix_ms);

}  // namespace docbus::agent
