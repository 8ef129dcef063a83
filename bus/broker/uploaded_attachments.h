// The attachments of a chunked Submit (proto/README.md, "Large attachments"):
// checked against the signed manifest by reading the uploads back a chunk at
// a time, then kept as the document's attachments. Thread-safety: none;
// broker loop thread only, inside the turn's transaction.
#pragma once

#include <string_view>

#include "bus/core/status.h"
#include "bus/crypto/attachments.h"
#include "bus/store/broker_store.h"
#include "docbus/v1/document.pb.h"

namespace docbus::broker {

// Judges the uploads of a chunked Submit into *verdict: ok when every
// manifest entry of `header` has a complete upload from `sender` with the
// listed size and SHA-256. Otherwise:
//   kTooLarge        more attachments, or a larger one, than `limits`, or
//                    more than `max_total_bytes` together;
//   kInvalidField    a manifest digest that is not 32 bytes;
//   kUnavailable     an attachment not (fully) uploaded yet: upload again;
//   kDigestMismatch  uploaded bytes that differ from the manifest.
// Returns the store's error when the store, not the upload, failed (then
// *verdict means nothing).
Status CheckUploads(store::BrokerStore& store, std::string_view sender,
                    const v1::DocumentHeader& header,
                    const crypto::AttachmentLimits& limits,
                    uint64_t max_total_bytes, Status* verdict);

// Stores the checked uploads as the document's attachments.
Status AdoptUploads(store::BrokerStore& store, std::string_view sender,
                    const v1::DocumentHeader& header);

}  // namespace docbus::broker
