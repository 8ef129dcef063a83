// DocumentReceiver: what the agent does with a document the broker delivers.
// It checks that the document is addressed to this agency, verifies the
// sender's signature over the exact header bytes and the attachments against
// the manifest, then (inside the loop turn's transaction) stores it in the
// inbox with an AUDIT_RECEIVED entry and the signed ReceiptBody it answers
// with. A refused document stores nothing and is answered with Refuse{reason};
// a duplicate delivery (same message id, same bytes) gets the stored receipt
// again; the same message id with different bytes is refused as a
// duplicate conflict.
//
// Thread-safety: loop thread only.
#pragma once

#include <cstdint>

#include "agents/turn.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::agent {

class DocumentReceiver {
 public:
  explicit DocumentReceiver(LoopContext& context) : ctx_(context) {}

  // Appends the Ack or Refuse for `delivery` to `out`. Returns non-ok only
  // for a storage failure (the turn is then rolled back and nothing is
  // answered; the broker delivers again).
  Status Handle(uint64_t delivery_id, const v1::DocumentDelivery& delivery,
                TurnOutput& out);

 private:
  // Refuses (counted, logged once, nothing stored).
  void Refuse(uint64_t delivery_id, const Status& why,
              std::string_view message_id, TurnOutput& out);

  LoopContext& ctx_;
};

}  // namespace docbus::agent
