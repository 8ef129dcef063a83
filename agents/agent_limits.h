// Size limits the agent applies to what its callers submit (the same
// defaults as the broker's limits.*), so that a document the broker would
// refuse as too large is refused at once with the field named.
#pragma once

#include <cstdint>

namespace docbus::agent {

struct AgentLimits {
  int64_t max_document_bytes = int64_t{4} << 30;  // its attachments together
  int64_t max_attachments = 64;
  int64_t max_attachment_bytes = int64_t{2} << 30;
  // Attachment bytes a request may carry inside itself (JSON base64 or an
  // in-memory multipart part); larger ones are uploaded as files first
  // (POST /v1/attachments, streamed multipart parts, drop-folder files).
  int64_t max_inline_bytes = int64_t{64} << 20;
  int64_t max_subject_bytes = 2000;
  int64_t max_description_bytes = 2000;  // status descriptions
  // Below this many free bytes on the data folder's file system, new
  // submissions are refused resource_exhausted (bus/core/disk_space.h);
  // 0 = no check.
  int64_t min_free_bytes = int64_t{256} << 20;
};

// The largest frame the agent takes from the broker: documents with more
// than kChunkedAbove of attachments and every chunk arrive in 1 MiB pieces.
inline constexpr int64_t kMaxInboundFrameBytes = int64_t{4} << 20;

}  // namespace docbus::agent
