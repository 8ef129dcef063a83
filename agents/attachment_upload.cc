#include "agents/attachment_upload.h"

#include <algorithm>

#include "bus/core/chunks.h"

namespace docbus::agent {

std::optional<AttachmentUpload> AttachmentUpload::For(
    std::string_view message_id, std::string_view frame) {
  if (frame.size() <= kChunkedAbove) return std::nullopt;
  v1::Frame parsed;
  if (!parsed.ParseFromArray(frame.data(), static_cast<int>(frame.size())) ||
      !parsed.has_submit()) {
    return std::nullopt;
  }
  uint64_t total = 0;
  for (const v1::AttachmentData& a : parsed.submit().attachments()) {
    total += a.data().size();
  }
  if (total <= kChunkedAbove) return std::nullopt;
  AttachmentUpload upload;
  upload.message_id_ = std::string(message_id);
  upload.submit_ = std::move(*parsed.mutable_submit());
  v1::Frame chunked;
  *chunked.mutable_submit()->mutable_document() = upload.submit_.document();
  chunked.mutable_submit()->set_chunked(true);
  upload.submit_frame_ = chunked.SerializeAsString();
  upload.SkipComplete();
  return upload;
}

bool AttachmentUpload::done() const {
  return attachment_ >= submit_.attachments_size();
}

std::string AttachmentUpload::NextChunkFrame() const {
  const std::string& data = submit_.attachments(attachment_).data();
  v1::Frame frame;
  v1::UploadChunk* chunk = frame.mutable_upload_chunk();
  chunk->set_message_id(message_id_);
  chunk->set_attachment(static_cast<uint32_t>(attachment_));
  chunk->set_total_size(data.size());
  chunk->set_offset(offset_);
  chunk->set_data(data.substr(offset_, kChunkBytes));
  return frame.SerializeAsString();
}

bool AttachmentUpload::OnStored(uint32_t attachment, uint64_t received) {
  if (done() || static_cast<int>(attachment) != attachment_ ||
      received <= offset_) {
    return false;
  }
  offset_ = std::min<uint64_t>(
      received, submit_.attachments(attachment_).data().size());
  SkipComplete();
  return true;
}

void AttachmentUpload::Restart() {
  attachment_ = 0;
  offset_ = 0;
  SkipComplete();
}

void AttachmentUpload::SkipComplete() {
  // Empty attachments have nothing to upload (the broker knows them by their
  // digest alone).
  while (!done() && offset_ >= submit_.attachments(attachment_).data().size()) {
    ++attachment_;
    offset_ = 0;
  }
}

}  // namespace docbus::agent
