// Large attachments travel in chunks between agents and the broker, never as
// one frame (proto/README.md, "Large attachments"). Constants only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace docbus {

// The most attachment bytes one UploadChunk or Chunk frame carries.
inline constexpr size_t kChunkBytes = size_t{1} << 20;
// A document whose attachments total more bytes than this is uploaded and
// delivered in chunks.
inline constexpr uint64_t kChunkedAbove = uint64_t{1} << 20;
// Uploads never followed by their Submit are deleted after this long.
inline constexpr int64_t kUploadLifetimeMs = int64_t{24} * 3600 * 1000;

}  // namespace docbus
