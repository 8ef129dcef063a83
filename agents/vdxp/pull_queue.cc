#include "agents/vdxp/pull_queue.h"

#include <algorithm>

namespace docbus::agent::vdxp {
namespace {

// Packets taken from the agent per read; a backlog takes several.
constexpr int64_t kBatch = 500;

// Takes what the agent holds of one kind past the store's cursor, a batch
// (one transaction) at a time. `read(cursor)` lists the next batch;
// `convert(item, cursor)` makes its packet and moves the cursor past it.
template <typename Read, typename Convert>
Status TakeNew(PullStateStore& store, PacketKind kind, Read read,
               Convert convert) {
  DOCBUS_ASSIGN_OR_RETURN(int64_t cursor, store.Cursor(kind));
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(auto batch, read(cursor));
    if (batch.empty()) return Status::Ok();
    std::vector<PulledPacket> packets;
    for (const auto& item : batch) packets.push_back(convert(item, cursor));
    DOCBUS_RETURN_IF_ERROR(store.Add(kind, packets, cursor));
    if (static_cast<int64_t>(batch.size()) < kBatch) return Status::Ok();
  }
}

}  // namespace

Status PullQueue::Refresh() {
  std::lock_guard lock(refresh_mu_);
  DOCBUS_RETURN_IF_ERROR(TakeNew(
      *store_, PacketKind::kDocument,
      [this](int64_t after) { return service_.ListIncoming(after, kBatch); },
      [this](const IncomingSummary& s, int64_t& cursor) {
        cursor = std::max(cursor, s.seq);
        return PulledPacket{.doc_id = s.message_id,
                            .kind = PacketKind::kDocument,
                            .from = s.sender,
                            .to = service_.agency_id(),
                            .received_unix_ms = s.received_unix_ms};
      }));
  // Received statuses are numbered 1, 2, 3... without gaps, so the cursor
  // is the number taken so far.
  return TakeNew(
      *store_, PacketKind::kStatus,
      [this](int64_t after) {
        return service_.ListStatusesReceived(after, kBatch);
      },
      [](const StatusView& s, int64_t& cursor) {
        ++cursor;
        return PulledPacket{.doc_id = s.status_id,
                            .kind = PacketKind::kStatus,
                            .from = s.from,
                            .to = s.to,
                            .received_unix_ms = s.created_unix_ms,
                            .about = s.message_id,
                            .code = s.code};
      });
}

Result<std::vector<PulledPacket>> PullQueue::Listed(PacketKind kind,
                                                    int64_t limit) {
  DOCBUS_RETURN_IF_ERROR(Refresh());
  return store_->Listed(kind, limit);
}

Result<int64_t> PullQueue::CountListed(PacketKind kind) {
  DOCBUS_RETURN_IF_ERROR(Refresh());
  return store_->CountListed(kind);
}

Result<PulledPacket> PullQueue::Get(std::string_view doc_id) {
  DOCBUS_RETURN_IF_ERROR(Refresh());
  return store_->Get(doc_id);
}

Status PullQueue::Update(std::string_view doc_id, PullState state) {
  DOCBUS_RETURN_IF_ERROR(Refresh());
  return store_->Update(doc_id, state, clock_.NowUnixMillis());
}

}  // namespace docbus::agent::vdxp
