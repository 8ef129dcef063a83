// NoticeReceiver: what the agent does with the notices the broker delivers
// about documents: a signed receipt for a document we sent (verified as
// signed by that recipient, and matching the digests of what we sent), a
// signed edXML status message addressed to us, and the broker's dead-letter
// notice for a document we sent. Each is stored with its own audit entry
// (AUDIT_RECEIPT_RECEIVED / AUDIT_STATUS_RECEIVED /
// AUDIT_DEAD_LETTER_RECEIVED) in the loop turn's transaction and then
// acknowledged; a duplicate is acknowledged again without a second entry. A
// notice that fails its checks is not recorded and is answered with
// Refuse{reason}.
//
// Thread-safety: loop thread only.
#pragma once

#include <cstdint>

#include "agents/turn.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::agent {

class NoticeReceiver {
 public:
  explicit NoticeReceiver(LoopContext& context) : ctx_(context) {}

  // Each appends the Ack or Refuse to `out`; non-ok only for a storage
  // failure.
  Status HandleReceipt(uint64_t delivery_id, const v1::SignedReceipt& receipt,
                       TurnOutput& out);
  Status HandleStatus(uint64_t delivery_id, const v1::SignedStatus& status,
                      TurnOutput& out);
  Status HandleDeadLetter(uint64_t delivery_id,
                          const v1::DeadLetterNotice& notice, TurnOutput& out);

 private:
  void Refuse(uint64_t delivery_id, std::string_view kind, const Status& why,
              std::string_view message_id, TurnOutput& out);

  LoopContext& ctx_;
};

}  // namespace docbus::agent
