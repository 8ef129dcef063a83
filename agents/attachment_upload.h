// AttachmentUpload: the attachments of one large document on their way to
// the broker as UploadChunk frames, one chunk at a time: the next goes when
// the broker's ChunkStored says it holds the one before; then the document's
// Submit{chunked} follows (proto/README.md, "Large attachments").
//
// Thread-safety: loop thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "docbus/v1/wire.pb.h"

namespace docbus::agent {

class AttachmentUpload {
 public:
  // The upload of a stored Submit frame whose attachments total more than
  // kChunkedAbove; nullopt for any other frame.
  static std::optional<AttachmentUpload> For(std::string_view message_id,
                                             std::string_view frame);

  const std::string& message_id() const { return message_id_; }
  // Submit{chunked}: the signed document without attachment bytes.
  const std::string& submit_frame() const { return submit_frame_; }
  // True once the broker holds every byte.
  bool done() const;
  // The UploadChunk the broker is to store next (not done()).
  std::string NextChunkFrame() const;
  // The broker holds `received` bytes of `attachment`. True when that is
  // progress (a confirmation seen before, or of an older chunk, is not).
  bool OnStored(uint32_t attachment, uint64_t received);
  // From the first byte again (the broker no longer holds the upload).
  void Restart();

 private:
  AttachmentUpload() = default;
  // Moves past attachments the broker holds whole.
  void SkipComplete();

  std::string message_id_;
  v1::Submit submit_;  // as stored, with the attachment bytes
  std::string submit_frame_;
  int attachment_ = 0;   // the one being uploaded
  uint64_t offset_ = 0;  // of it, what the broker holds
};

}  // namespace docbus::agent
