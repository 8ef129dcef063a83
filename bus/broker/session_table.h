// SessionTable: the broker's view of connected agencies. A session is opened
// by an authenticated Hello and remembers where to send (that Hello's
// connection: its routing id and ConnectionId; it is closed when the
// connection ends, bus/transport/README.md), how much the agent can take
// (credit count and bytes), how far its queue has been read (a cursor in
// delivery order) and which deliveries are in flight (sent, not yet
// acknowledged) with their retransmit deadlines. Nothing here is durable: the
// queue itself is in the store, and a new Hello (or a broker restart) simply
// starts the queue over, resending what was in flight.
//
// Thread-safety: none; owned by the broker loop thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "bus/store/broker_store.h"
#include "bus/transport/peer.h"

namespace docbus::broker {

struct InFlight {
  int64_t sent_ms = 0;  // monotonic time of the last send
  int64_t size_bytes = 0;
};

struct Session {
  std::string agency_id;
  transport::Peer peer;  // the connection its Hello came on
  int64_t opened_unix_ms = 0;
  // Credit: deliveries / bytes the agent can still take. A Hello with
  // credit_bytes == 0 asks for no byte limit (count only).
  int64_t credit_count = 0;
  int64_t credit_bytes = 0;
  bool bytes_limited = false;
  // Queue reading position: everything at or before it was sent (or is
  // being skipped because it is in flight).
  store::QueueCursor cursor;
  // The queue may hold deliveries past the cursor; false after a short page
  // and until a new delivery for this agency is queued.
  bool maybe_more = true;
  // The agent's pipe was full (EAGAIN); wait for its next frame or a tick.
  bool blocked = false;
  std::unordered_map<int64_t, InFlight> in_flight;
  // (deadline, delivery id) in send order; entries whose delivery is no
  // longer in flight (or was re-sent since) are skipped lazily.
  std::deque<std::pair<int64_t, int64_t>> retransmit_order;
};

class SessionTable {
 public:
  // Replaces any session of `agency_id` (its in-flight deliveries will be
  // resent) with a fresh one on `peer`. `credit_count` is capped at
  // `credit_count_max`.
  Session& Open(std::string_view agency_id, const transport::Peer& peer,
                int64_t credit_count, int64_t credit_bytes,
                int64_t credit_count_max, int64_t now_unix_ms);
  // Forgets the agency's session (e.g. its connection is gone).
  void Close(std::string_view agency_id);
  Session* Find(std::string_view agency_id);

  // Adds credit from a Credit frame, keeping the count under the cap.
  static void AddCredit(Session& s, int64_t count, int64_t bytes,
                        int64_t credit_count_max);
  // Records a first send (consuming credit) or a retransmit (not).
  static void MarkSent(Session& s, int64_t delivery_id, int64_t size_bytes,
                       int64_t now_ms, int64_t retransmit_ms,
                       bool consume_credit);
  // Ends a delivery's flight (acknowledged, refused or finished); true if it
  // was in flight.
  static bool Land(Session& s, int64_t delivery_id);

  // A delivery was queued for `recipient`: its session (if any) reads on, and
  // rewinds when the new delivery sorts before its cursor (higher priority).
  void NoteQueued(std::string_view recipient, int32_t priority);
  // True if `delivery_id` is in flight to its recipient.
  bool IsInFlight(std::string_view recipient, int64_t delivery_id);
  // Restarts every session's queue from the start with nothing in flight
  // (after a failed transaction, whose effects are unknown to the sessions).
  void ResetAll();
  // Clears every session's `blocked` flag (a periodic retry).
  void UnblockAll();

  std::map<std::string, Session, std::less<>>& sessions() { return sessions_; }
  size_t size() const { return sessions_.size(); }

 private:
  std::map<std::string, Session, std::less<>> sessions_;
};

}  // namespace docbus::broker
