#include "bus/broker/session_table.h"

#include <algorithm>

namespace docbus::broker {

Session& SessionTable::Open(std::string_view agency_id,
                            const transport::Peer& peer, int64_t credit_count,
                            int64_t credit_bytes, int64_t credit_count_max,
                            int64_t now_unix_ms) {
  Session fresh;
  fresh.agency_id = std::string(agency_id);
  fresh.peer = peer;
  fresh.opened_unix_ms = now_unix_ms;
  fresh.credit_count = std::clamp<int64_t>(credit_count, 0, credit_count_max);
  // A credit_bytes of 0 (or one too large for int64) asks for no byte limit.
  fresh.bytes_limited = credit_bytes > 0;
  fresh.credit_bytes = std::min<int64_t>(credit_bytes, int64_t{1} << 52);
  auto it = sessions_.find(agency_id);
  if (it == sessions_.end()) {
    it = sessions_.emplace(std::string(agency_id), Session{}).first;
  }
  it->second = std::move(fresh);
  return it->second;
}

void SessionTable::Close(std::string_view agency_id) {
  auto it = sessions_.find(agency_id);
  if (it != sessions_.end()) sessions_.erase(it);
}

Session* SessionTable::Find(std::string_view agency_id) {
  auto it = sessions_.find(agency_id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void SessionTable::AddCredit(Session& s, int64_t count, int64_t bytes,
                             int64_t credit_count_max) {
  s.credit_count =
      std::min(s.credit_count + std::max<int64_t>(count, 0), credit_count_max);
  if (s.bytes_limited) {
    // Saturating: a hostile agent cannot overflow its byte credit.
    constexpr int64_t kMaxBytes = int64_t{1} << 52;
    s.credit_bytes = std::min(
        kMaxBytes, s.credit_bytes + std::clamp<int64_t>(bytes, 0, kMaxBytes));
  }
  s.blocked = false;
  s.maybe_more = true;
}

void SessionTable::MarkSent(Session& s, int64_t delivery_id, int64_t size_bytes,
                            int64_t now_ms, int64_t retransmit_ms,
                            bool consume_credit) {
  s.in_flight[delivery_id] = InFlight{now_ms, size_bytes};
  s.retransmit_order.emplace_back(now_ms + retransmit_ms, delivery_id);
  if (consume_credit) {
    s.credit_count -= 1;
    if (s.bytes_limited) s.credit_bytes -= size_bytes;
  }
}

bool SessionTable::Land(Session& s, int64_t delivery_id) {
  return s.in_flight.erase(delivery_id) > 0;
}

void SessionTable::NoteQueued(std::string_view recipient, int32_t priority) {
  Session* s = Find(recipient);
  if (s == nullptr) return;
  s->maybe_more = true;
  // New deliveries get larger ids, so only a higher priority sorts before
  // the cursor. Rewinding re-reads in-flight deliveries, which are skipped.
  if (priority > s->cursor.priority) s->cursor = store::QueueCursor{};
}

bool SessionTable::IsInFlight(std::string_view recipient, int64_t delivery_id) {
  Session* s = Find(recipient);
  return s != nullptr && s->in_flight.contains(delivery_id);
}

void SessionTable::ResetAll() {
  for (auto& [agency, s] : sessions_) {
    s.in_flight.clear();
    s.retransmit_order.clear();
    s.cursor = store::QueueCursor{};
    s.maybe_more = true;
    s.blocked = false;
  }
}

void SessionTable::UnblockAll() {
  for (auto& [agency, s] : sessions_) s.blocked = false;
}

}  // namespace docbus::broker
