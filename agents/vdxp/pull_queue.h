// PullQueue: the pull model of the national axis (list pending packets,
// fetch, acknowledge done / fail) over a running agent, shared by the SDK
// gateway (agents/vdxp/sdk_server.h) and the agent's native /v1/pull
// routes. Before it answers, it takes what the agent received since the
// last time (AgentService::ListIncoming / ListStatusesReceived from the
// cursors kept in the PullStateStore) into the store as pending packets.
//
// Thread-safety: every call may be made from any thread; taking new packets
// is serialised, so two callers never add the same cursor range twice.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "agents/agent_service.h"
#include "agents/vdxp/pull_state_store.h"
#include "bus/core/clock.h"

namespace docbus::agent::vdxp {

class PullQueue {
 public:
  // `service` and `clock` must outlive the queue.
  PullQueue(AgentService& service, std::unique_ptr<PullStateStore> store,
            const Clock& clock)
      : service_(service), store_(std::move(store)), clock_(clock) {}

  // Packets of `kind` not yet done, oldest first, at most `limit`.
  Result<std::vector<PulledPacket>> Listed(PacketKind kind, int64_t limit);
  Result<int64_t> CountListed(PacketKind kind);
  // One received packet; kNotFound when this agent never received it.
  Result<PulledPacket> Get(std::string_view doc_id);
  // The agency's system says what became of a packet (PullStateStore's
  // rules; kNotFound / kInvalidTransition change nothing).
  Status Update(std::string_view doc_id, PullState state);

  AgentService& service() { return service_; }

 private:
  // Takes newly received packets into the store.
  Status Refresh();

  AgentService& service_;
  std::unique_ptr<PullStateStore> store_;
  const Clock& clock_;
  std::mutex refresh_mu_;
};

}  // namespace docbus::agent::vdxp
