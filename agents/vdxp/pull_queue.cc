#include "agents/vdxp/pull_queue.h"

namespace docbus::agent::vdxp {
namespace {

// Packets taken from the agent per read; a backlog takes several.
constexpr int64_t kBatch = 500;

}  // namespace

Status PullQueue::RefreshDocuments() {
  DOCBUS_ASSIGN_OR_RETURN(int64_t cursor,
                          store_->Cursor(PacketKind::kDocument));
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(std::vector<IncomingSummary> got,
                            service_.ListIncoming(cursor, kBatch));
    if (got.empty()) return Status::Ok();
    std::vector<PulledPacket> packets;
    for (const IncomingSummary& s : got) {
      PulledPacket p;
      p.doc_id = s.message_id;
      p.kind = PacketKind::kDocument;
      p.from = s.sender;
      p.to = service_.agency_id();
      p.received_unix_ms = s.received_unix_ms;
      packets.push_back(std::move(p));
      cursor = std::max(cursor, s.seq);
    }
    DOCBUS_RETURN_IF_ERROR(
        store_->Add(PacketKind::kDocument, packets, cursor));
    if (static_cast<int64_t>(got.size()) < kBatch) return Status::Ok();
  }
}

// Received statuses are numbered 1, 2, 3... without gaps, so the cursor is
// the number taken so far.
Status PullQueue::RefreshStatuses() {
  DOCBUS_ASSIGN_OR_RETURN(int64_t cursor, store_->Cursor(PacketKind::kStatus));
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(std::vector<StatusView> got,
                            service_.ListStatusesReceived(cursor, kBatch));
    if (got.empty()) return Status::Ok();
    std::vector<PulledPacket> packets;
    for (const StatusView& s : got) {
      PulledPacket p;
      p.doc_id = s.status_id;
      p.kind = PacketKind::kStatus;
      p.from = s.from;
      p.to = s.to;
      p.received_unix_ms = s.created_unix_ms;
      p.about = s.message_id;
      p.code = s.code;
      packets.push_back(std::move(p));
    }
    cursor += static_cast<int64_t>(got.size());
    DOCBUS_RETURN_IF_ERROR(store_->Add(PacketKind::kStatus, packets, cursor));
    if (static_cast<int64_t>(got.size()) < kBatch) return Status::Ok();
  }
}

Status PullQueue::Refresh() {
  std::lock_guard lock(refresh_mu_);
  DOCBUS_RETURN_IF_ERROR(RefreshDocuments());
  return RefreshStatuses();
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
