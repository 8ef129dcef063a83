// The bytes of a received document's attachments kept in files, read into
// the document for the views that carry attachments inline (the edXML
// export: base64 inside the envelope). Bounded: a document whose
// attachments total more than the bound is refused, so memory stays within
// it; its attachments are downloaded one by one instead
// (GET /v1/inbox/<id>/attachments/<n>). Stateless and thread-safe.
#pragma once

#include <cstdint>

#include "agents/agent_service.h"
#include "bus/core/status.h"

namespace docbus::agent {

// The most attachment bytes an edXML export carries (the default
// limits.max_document_bytes, as before attachments were kept in files).
inline constexpr uint64_t kMaxInlineExportBytes = uint64_t{64} << 20;

// Fills the data of every attachment held in a file. kTooLarge naming the
// bound when they total more than `max_total_bytes` (nothing read);
// kIoError when a file cannot be read.
Status LoadAttachmentBytes(IncomingDocument& document,
                           uint64_t max_total_bytes);

}  // namespace docbus::agent
