// AttachmentUpload: the attachments of one large document on their way to
// the broker as UploadChunk frames, one chunk at a time: the next goes when
// the broker's ChunkStored says it holds the one before; then the document's
// Submit{chunked} follows (proto/README.md, "Large attachments"). The bytes
// are read a chunk at a time from the outbox files (agents/outbox_files.h),
// or, for an entry stored before those, from its frame.
//
// After a restart or a reconnect an upload starts from its first byte; the
// broker's answer to that first chunk says how much it holds already, and
// the upload goes on from there: at most a chunk is sent twice.
//
// Thread-safety: loop thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agents/agent_store.h"
#include "agents/outbox_files.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::agent {

class AttachmentUpload {
 public:
  // The upload of a pending outbox entry whose attachments travel in
  // chunks (in the outbox files, or more than kChunkedAbove in its frame);
  // nullopt for any other entry. `files` must outlive the upload.
  static std::optional<AttachmentUpload> For(const PendingFrame& entry,
                                             const OutboxFiles& files);

  const std::string& message_id() const { return message_id_; }
  // Submit{chunked}: the signed document without attachment bytes.
  const std::string& submit_frame() const { return submit_frame_; }
  // True once the broker holds every byte.
  bool done() const;
  // The UploadChunk the broker is to store next (not done()); the outbox
  // file's read error (a file removed by hand: kNotFound).
  Result<std::string> NextChunkFrame() const;
  // The attachment bytes that chunk carries.
  uint64_t NextChunkBytes() const;
  // The broker holds `received` bytes of `attachment`. True when that is
  // progress (a confirmation seen before, or of an older chunk, is not).
  bool OnStored(uint32_t attachment, uint64_t received);
  // From the first byte again (the broker no longer holds the upload).
  void Restart();

 private:
  struct Source {
    std::string sha256;  // 32 raw bytes
    uint64_t size = 0;
    std::string data;  // an older entry's bytes in its frame; else empty
    bool in_file = false;
  };
  AttachmentUpload() = default;
  // Moves past attachments the broker holds whole.
  void SkipComplete();

  const OutboxFiles* files_ = nullptr;
  std::string message_id_;
  std::vector<Source> sources_;
  std::string submit_frame_;
  size_t attachment_ = 0;  // the one being uploaded
  uint64_t offset_ = 0;    // of it, what the broker holds
};

}  // namespace docbus::agent
