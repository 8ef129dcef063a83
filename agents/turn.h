// What the agent's loop shares with the handlers of one loop turn: the
// collaborators they use (LoopContext), and what a turn produces that must
// wait for the turn's commit (TurnOutput): frames to send, outbox entries
// answered, and counters that only hold once committed.
//
// Thread-safety: both belong to the loop thread.
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agents/agent_limits.h"
#include "agents/agent_store.h"
#include "bus/audit/audit_log.h"
#include "bus/core/clock.h"
#include "bus/core/metrics.h"
#include "bus/crypto/signer.h"
#include "bus/crypto/verifier.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::agent {

struct LoopContext {
  std::string agency_id;
  AgentStore& store;
  audit::AuditLog& log;
  // The PKI in force for this turn (AgentLoop takes it before each batch).
  std::shared_ptr<const crypto::Verifier> verifier;
  const crypto::Signer& signer;
  const Clock& clock;
  Metrics& metrics;
  AgentLimits limits;
  std::shared_ptr<spdlog::logger> logger;
};

struct TurnOutput {
  std::vector<std::string> replies;   // frames to send after the commit
  std::vector<std::string> answered;  // outbox ids the broker answered
  std::vector<std::function<void()>> after_commit;
  uint32_t credit_count = 0;  // deliveries handled: credit to give back
  uint64_t credit_bytes = 0;
  int64_t pending_delta = 0;  // outbox entries that stopped being pending
  std::vector<std::string> unavailable;  // answered Rejected{UNAVAILABLE}
  std::vector<v1::ChunkStored> chunks_stored;

  void Clear() {
    replies.clear();
    answered.clear();
    after_commit.clear();
    credit_count = 0;
    credit_bytes = 0;
    pending_delta = 0;
    unavailable.clear();
    chunks_stored.clear();
  }
};

// Answers a delivery with Refuse{why} (nothing is stored): logged with
// `kind` ("document delivery", "receipt"...) and counted in
// docbus_agent_refused_total{reason}.
void RefuseDelivery(const LoopContext& ctx, std::string_view kind,
                    uint64_t delivery_id, const Status& why,
                    std::string_view message_id, TurnOutput& out);

// Serialized frames the agent sends.
std::string AckFrame(uint64_t delivery_id, const v1::SignedReceipt* receipt);
std::string RefuseFrame(uint64_t delivery_id, const Status& why);
std::string HelloFrame(uint32_t credit_count, uint64_t credit_bytes);
std::string CreditFrame(uint32_t count, uint64_t bytes);
std::string CheckpointRequestFrame(uint64_t known_size);
std::string PongFrame(uint64_t nonce);

}  // namespace docbus::agent
