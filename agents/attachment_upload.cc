#include "agents/attachment_upload.h"

#include <algorithm>

#include "bus/core/chunks.h"
#include "docbus/v1/document.pb.h"

namespace docbus::agent {

std::optional<AttachmentUpload> AttachmentUpload::For(
    const PendingFrame& entry, const OutboxFiles& files) {
  if (!entry.attachments_in_files && entry.frame.size() <= kChunkedAbove) {
    return std::nullopt;
  }
  v1::Frame parsed;
  if (!parsed.ParseFromString(entry.frame) || !parsed.has_submit()) {
    return std::nullopt;
  }
  AttachmentUpload upload;
  upload.files_ = &files;
  upload.message_id_ = entry.message_id;
  v1::Submit& submit = *parsed.mutable_submit();
  if (entry.attachments_in_files) {
    v1::DocumentHeader header;
    if (!header.ParseFromString(submit.document().header())) {
      return std::nullopt;
    }
    for (const v1::AttachmentManifest& m : header.attachments()) {
      upload.sources_.push_back(Source{m.sha256(), m.size(), "", true});
    }
  } else {
    uint64_t total = 0;
    for (v1::AttachmentData& a : *submit.mutable_attachments()) {
      total += a.data().size();
      const uint64_t size = a.data().size();
      upload.sources_.push_back(
          Source{a.sha256(), size, std::move(*a.mutable_data()), false});
    }
    if (total <= kChunkedAbove) return std::nullopt;
  }
  v1::Frame chunked;
  *chunked.mutable_submit()->mutable_document() = submit.document();
  chunked.mutable_submit()->set_chunked(true);
  chunked.mutable_submit()->set_correlation_id(submit.correlation_id());
  upload.submit_frame_ = chunked.SerializeAsString();
  upload.SkipComplete();
  return upload;
}

bool AttachmentUpload::done() const { return attachment_ >= sources_.size(); }

uint64_t AttachmentUpload::NextChunkBytes() const {
  return std::min<uint64_t>(kChunkBytes, sources_[attachment_].size - offset_);
}

Result<std::string> AttachmentUpload::NextChunkFrame() const {
  const Source& source = sources_[attachment_];
  const size_t length = static_cast<size_t>(NextChunkBytes());
  v1::Frame frame;
  v1::UploadChunk* chunk = frame.mutable_upload_chunk();
  chunk->set_message_id(message_id_);
  chunk->set_attachment(static_cast<uint32_t>(attachment_));
  chunk->set_total_size(source.size);
  chunk->set_offset(offset_);
  if (source.in_file) {
    DOCBUS_ASSIGN_OR_RETURN(std::string data,
                            files_->Read(source.sha256, offset_, length));
    if (data.size() != length) {
      return Status(Code::kIoError, "attachment file " +
                                        files_->PathOf(source.sha256).string() +
                                        " is shorter than its manifest says");
    }
    chunk->set_data(std::move(data));
  } else {
    chunk->set_data(source.data.substr(offset_, length));
  }
  return frame.SerializeAsString();
}

bool AttachmentUpload::OnStored(uint32_t attachment, uint64_t received) {
  if (done() || attachment != attachment_ || received <= offset_) {
    return false;
  }
  offset_ = std::min<uint64_t>(received, sources_[attachment_].size);
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
  while (!done() && offset_ >= sources_[attachment_].size) {
    ++attachment_;
    offset_ = 0;
  }
}

}  // namespace docbus::agent
