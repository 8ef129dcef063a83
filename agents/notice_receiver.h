// NoticeReceiver: what the agent does with the notices the broker delivers
// about documents: a signed receipt for a document we sent (verified as
// signed by that recipient, and matching the digests of what we sent), a
// signed edXML status message addressed to us, and the broker's dead-letter
// notice for a document we sent. Each is stored with its own audit entry
// (AUDIT_RECEIPT_RECEIVED / AUDIT_STATUS_RECEIVED /
// AUDIT_DEAD_LETTER_RECEIVED) in the loop turn's transaction and then
// acknowledged; a duplicate is acknowledged again without a second entry. A
// notice that fails its checks is not recorded and is answered with
// Refuse{reason}. Prepare* (parsing, verification) may run on several
// threads at once; Handle* run on the loop thread in the turn's transaction.
//
// Thread-safety: Prepare* from any thread; the rest on the loop thread only.
#pragma once

#include <cstdint>

#include "agents/turn.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::agent {

// A receipt or status after the checks that need no store.
struct PreparedNotice {
  Status parsed;    // the signed body parses
  Status verified;  // signed by the receipt's recipient / the status's sender
  v1::ReceiptBody receipt_body;
  v1::StatusBody status_body;
};

class NoticeReceiver {
 public:
  explicit NoticeReceiver(LoopContext& context) : ctx_(context) {}

  // Parse and verify, without the store. Thread-safe.
  void PrepareReceipt(const v1::SignedReceipt& receipt,
                      PreparedNotice* out) const;
  void PrepareStatus(const v1::SignedStatus& status, PreparedNotice* out) const;

  // Each appends the Ack or Refuse to `out`; non-ok only for a storage
  // failure.
  Status HandleReceipt(uint64_t delivery_id, const v1::SignedReceipt& receipt,
                       const PreparedNotice& prepared, TurnOutput& out);
  Status HandleStatus(uint64_t delivery_id, const v1::SignedStatus& status,
                      const PreparedNotice& prepared, TurnOutput& out);
  Status HandleDeadLetter(uint64_t delivery_id,
                          const v1::DeadLetterNotice& notice, TurnOutput& out);

 private:
  LoopContext& ctx_;
};

}  // namespace docbus::agent
