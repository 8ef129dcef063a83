// DeliveryDispatcher: after each commit, sends every connected agency what
// its credit allows from its queue, in delivery order (priority DESC, then
// oldest first), a page at a time, and re-sends in-flight deliveries left
// unacknowledged for delivery.retransmit_ms. It never sends beyond an
// agency's credit (count, and bytes when the agency set a byte limit). A full
// pipe (EAGAIN) pauses that agency until it shows activity; a departed
// connection closes its session (its queue simply waits in the store).
//
// Thread-safety: none; broker loop thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bus/broker/turn_context.h"
#include "bus/transport/broker_socket.h"
#include "docbus/v1/document.pb.h"

namespace docbus::broker {

class DeliveryDispatcher {
 public:
  DeliveryDispatcher(BrokerContext& context, transport::BrokerSocket& socket)
      : ctx_(context), socket_(socket) {}

  // Sends up to `max_per_agency` new deliveries per session. Returns how many
  // were sent; sets *more when some session still has credit and queue.
  Result<size_t> DeliverAll(int64_t now_monotonic_ms, size_t max_per_agency,
                            bool* more);
  // Re-sends in-flight deliveries whose deadline passed. Returns how many.
  Result<size_t> Retransmit(int64_t now_monotonic_ms);
  // The earliest retransmit deadline (INT64_MAX when nothing is in flight).
  int64_t NextRetransmitDue();
  // Closes every session whose connection the socket has seen end (its
  // deliveries stay queued for the agency's next session).
  void CloseEndedSessions();

 private:
  // The Deliver frame of a queued delivery; nullopt if it is no longer queued.
  Result<std::optional<std::string>> BuildDeliver(int64_t delivery_id);
  // The cached DocumentDelivery of the document (read from the store unless
  // it is the last one loaded).
  Result<v1::DocumentDelivery*> LoadDocument(int64_t document_id);
  Result<size_t> DeliverTo(Session& s, int64_t now_ms, size_t max, bool* close);

  BrokerContext& ctx_;
  transport::BrokerSocket& socket_;
  // The last document loaded: a document for several recipients is read once.
  int64_t cached_document_ = 0;
  v1::DocumentDelivery cached_delivery_;
};

}  // namespace docbus::broker
