// Helpers the SDK gateway's tests share (vdxp_*_test.cc): a pull queue on a
// fresh state file, and the ids of listed packets.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agents/vdxp/pull_queue.h"

namespace docbus::agent::testing {

// A PullQueue over `service` keeping its state in `file`.
inline std::unique_ptr<vdxp::PullQueue> MakePullQueue(
    const std::filesystem::path& file, AgentService& service,
    const Clock& clock) {
  auto store = vdxp::PullStateStore::Open(file);
  REQUIRE(store.ok());
  return std::make_unique<vdxp::PullQueue>(service, std::move(store).value(),
                                           clock);
}

// The docIds of what a store or a queue lists of `kind` (its error fails
// the test).
template <typename Source>
std::vector<std::string> ListedIds(Source& source, vdxp::PacketKind kind) {
  Result<std::vector<vdxp::PulledPacket>> listed = source.Listed(kind, 1000);
  REQUIRE(listed.ok());
  std::vector<std::string> ids;
  for (const vdxp::PulledPacket& p : *listed) ids.push_back(p.doc_id);
  return ids;
}

}  // namespace docbus::agent::testing
