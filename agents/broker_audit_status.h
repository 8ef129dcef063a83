// BrokerAuditStatus: what the agent knows of its broker's checkpoints, for
// GET /v1/audit: whether a witness policy is configured, whether the newest
// checkpoint seen met it, the size of the latest accepted (witnessed) one and
// of the newest consistent one seen. The CheckpointTracker sets it on the
// loop thread; the HTTP API reads it.
//
// Thread-safety: every call from any thread (one mutex).
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>

#include "bus/core/status.h"

namespace docbus::agent {

struct BrokerAuditState {
  bool witness_policy = false;  // audit.witness_policy is set
  bool witnessed = true;        // the newest seen met it (or no policy)
  uint64_t witnessed_size = 0;  // the latest accepted checkpoint's size
  uint64_t newest_size = 0;     // the newest consistent checkpoint seen
};

class BrokerAuditStatus;

// The body of GET /v1/audit (agents/openapi.json):
//   {"audit": {"witness_policy", "witnessed", "witnessed_size", "newest_size"}}
// kUnavailable when the agent keeps no such status (nullptr).
Result<nlohmann::json> BrokerAuditBody(const BrokerAuditStatus* status);

class BrokerAuditStatus {
 public:
  void Set(const BrokerAuditState& state) {
    std::lock_guard lock(mu_);
    state_ = state;
  }
  BrokerAuditState Read() const {
    std::lock_guard lock(mu_);
    return state_;
  }

 private:
  mutable std::mutex mu_;
  BrokerAuditState state_;
};

inline Result<nlohmann::json> BrokerAuditBody(const BrokerAuditStatus* status) {
  if (status == nullptr)
    return Status(Code::kUnavailable, "this agent keeps no audit state");
  const BrokerAuditState s = status->Read();
  nlohmann::json audit{{"witness_policy", s.witness_policy},
                       {"witnessed", s.witnessed},
                       {"witnessed_size", s.witnessed_size},
                       {"newest_size", s.newest_size}};
  return nlohmann::json{{"audit", std::move(audit)}};
}

}  // namespace docbus::agent
