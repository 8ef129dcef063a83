// DocumentReceiver: what the agent does with a document the broker delivers.
// It checks that the document is addressed to this agency, verifies the
// sender's signature over the exact header bytes and the attachments against
// the manifest, then (inside the loop turn's transaction) stores it in the
// inbox with an AUDIT_RECEIVED entry and the signed ReceiptBody it answers
// with. A refused document stores nothing and is answered with Refuse{reason};
// a duplicate delivery (same message id, same bytes) gets the stored receipt
// again; the same message id with different bytes is refused as a
// duplicate conflict. A document fetched in chunks is checked the same way,
// its attachments' digests already compared by the ChunkFetcher; once it is
// stored or refused its progress rows (inbox_fetches) go.
//
// The work is split in two: Prepare does everything that needs no store
// (parsing, verification, signing the receipt) and may run on several
// threads at once; Handle does the store part on the loop thread, inside the
// turn's transaction.
//
// Thread-safety: Prepare from any thread; Handle on the loop thread only.
#pragma once

#include <cstdint>
#include <string_view>

#include "agents/turn.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::agent {

// A delivered document after the checks that need no store.
struct PreparedDocument {
  Status early;       // malformed, or not addressed to us: refuse at once
  Status checks;      // signature and attachments (refuse unless a duplicate)
  Status sign_error;  // our own signing failed: retry the turn
  std::string_view header_bytes;  // into the delivery, which outlives Handle
  bool fetched = false;  // its attachments came in chunks (inbox_fetches)
  v1::DocumentHeader header;
  InboxEntry entry;  // complete, with our signed receipt, when all is ok
  v1::SignedReceipt receipt;
  v1::AuditRecord record;  // the AUDIT_RECEIVED entry
};

class DocumentReceiver {
 public:
  explicit DocumentReceiver(LoopContext& context) : ctx_(context) {}

  // Thread-safe (uses only the thread-safe parts of the context).
  // `fetched`: the delivery's attachments were fetched in chunks into
  // AttachmentFileStore (ChunkFetcher), which compared each with the manifest's
  // digest; *fetched is that outcome (kDigestMismatch: refused). The entry
  // then refers to the files instead of carrying the bytes.
  void Prepare(const v1::DocumentDelivery& delivery, PreparedDocument* out,
               const Status* fetched = nullptr) const;

  // Appends the Ack or Refuse for the delivery to `out`. Returns non-ok only
  // for a storage (or signing) failure: the turn is then rolled back and
  // nothing is answered; the broker delivers again.
  Status Handle(uint64_t delivery_id, PreparedDocument& prepared,
                TurnOutput& out);

 private:
  LoopContext& ctx_;
};

}  // namespace docbus::agent
