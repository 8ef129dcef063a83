#include "agents/chunk_fetcher.h"

#include <algorithm>
#include <utility>

#include "agents/agent_metrics.h"
#include "bus/crypto/attachments.h"

namespace docbus::agent {
namespace {

constexpr int kMaxTries = 5;
constexpr size_t kSha256Bytes = 32;

}  // namespace

Status ChunkFetcher::Add(const v1::Deliver& deliver) {
  // Sent again while it waits (the broker retransmits): already queued.
  if (std::any_of(waiting_.begin(), waiting_.end(), [&](const v1::Deliver& d) {
        return d.delivery_id() == deliver.delivery_id();
      })) {
    return Status::Ok();
  }
  waiting_.push_back(deliver);
  if (waiting_.size() == 1) return StartNext();
  return Status::Ok();
}

Status ChunkFetcher::StartNext() {
  sizes_.clear();
  digests_.clear();
  message_id_.clear();
  attachment_ = 0;
  writer_.reset();
  unsynced_chunks_ = 0;
  asked_ms_ = -1;
  tries_ = 0;
  if (waiting_.empty()) return Status::Ok();
  v1::DocumentDelivery* document = waiting_.front().mutable_document();
  document->clear_attachments();
  v1::DocumentHeader header;
  // A header that does not parse, or a manifest that cannot be fetched, goes
  // on as it is: the usual checks refuse it with their precise reason.
  const bool parsed = header.ParseFromString(document->document().header());
  bool fetchable =
      parsed &&
      crypto::ManifestBytes(header, max_document_bytes_) <= max_document_bytes_;
  for (const v1::AttachmentManifest& a : header.attachments()) {
    if (a.sha256().size() != kSha256Bytes) fetchable = false;
  }
  if (!fetchable) {
    Finish(false, Status::Ok());
    return Status::Ok();
  }
  message_id_ = header.message_id();
  for (const v1::AttachmentManifest& a : header.attachments()) {
    sizes_.push_back(a.size());
    digests_.push_back(a.sha256());
    document->add_attachments()->set_sha256(a.sha256());
  }
  return Advance();
}

Status ChunkFetcher::OpenAttachment() {
  const std::string& sha256 = digests_[attachment_];
  if (files_.Has(sha256, sizes_[attachment_])) return Status::Ok();
  DOCBUS_ASSIGN_OR_RETURN(uint64_t offset,
                          store_.FetchOffset(message_id_, attachment_, sha256));
  if (offset > sizes_[attachment_]) offset = 0;
  Result<std::unique_ptr<AttachmentFileStore::Writer>> writer =
      files_.Begin(sha256, offset);
  if (!writer.ok() && offset > 0) {
    logger_->warn(
        "partial attachment file unusable, fetching anew "
        "message_id={} attachment={}: {}",
        message_id_, attachment_, writer.status().ToString());
    offset = 0;
    writer = files_.Begin(sha256, 0);
  }
  if (!writer.ok()) return writer.status();
  writer_ = std::move(writer).value();
  if (offset > 0) {
    metrics_.Add(metric::kFetchResumedBytes, "", static_cast<double>(offset));
    logger_->info("fetch taken up again message_id={} attachment={} offset={}",
                  message_id_, attachment_, offset);
  }
  return Status::Ok();
}

Status ChunkFetcher::Advance() {
  while (attachment_ < static_cast<int>(sizes_.size())) {
    if (writer_ == nullptr) {
      Status opened = OpenAttachment();
      if (opened.code() == Code::kIoError) return Drop(opened);
      DOCBUS_RETURN_IF_ERROR(opened);
      if (writer_ == nullptr) {  // committed already
        ++attachment_;
        continue;
      }
    }
    if (writer_->offset() < sizes_[attachment_]) return Status::Ok();
    Status committed = writer_->Commit();
    writer_.reset();
    if (committed.code() == Code::kDigestMismatch) {
      Finish(true,
             committed.Prefixed("attachment " + std::to_string(attachment_)));
      return StartNext();
    }
    if (!committed.ok()) return Drop(committed);
    ++attachment_;
  }
  Finish(true, Status::Ok());
  return StartNext();
}

void ChunkFetcher::Finish(bool in_files, Status fetched) {
  writer_.reset();
  v1::DocumentDelivery* document = waiting_.front().mutable_document();
  document->set_chunked(false);
  FetchedDocument& done = complete_.emplace_back();
  *done.frame.mutable_deliver() = std::move(waiting_.front());
  done.in_files = in_files;
  done.fetched = std::move(fetched);
  waiting_.pop_front();
}

Status ChunkFetcher::Drop(const Status& why) {
  logger_->warn("fetch given up message_id={} attachment={}: {}", message_id_,
                attachment_, why.ToString());
  waiting_.pop_front();
  return StartNext();
}

Status ChunkFetcher::OnChunk(const v1::Chunk& chunk) {
  if (waiting_.empty() ||
      chunk.delivery_id() != waiting_.front().delivery_id()) {
    return Status::Ok();
  }
  if (chunk.reason() != v1::REASON_UNSPECIFIED) {
    // e.g. acknowledged already, or expired
    return Drop(
        Status(Code::kUnavailable, "the broker answered: " + chunk.detail()));
  }
  if (writer_ == nullptr ||
      static_cast<int>(chunk.attachment()) != attachment_ ||
      chunk.offset() != writer_->offset() || chunk.data().empty() ||
      chunk.data().size() > sizes_[attachment_] - writer_->offset()) {
    return Status::Ok();
  }
  if (Status written = writer_->Write(chunk.data()); !written.ok()) {
    return Drop(written);
  }
  metrics_.Add(metric::kFetchBytes, "",
               static_cast<double>(chunk.data().size()));
  asked_ms_ = -1;
  tries_ = 0;
  const bool last = writer_->offset() == sizes_[attachment_];
  if (++unsynced_chunks_ >= kSyncChunks || last) {
    // The file first, then the record of its length: the record never
    // claims bytes the disk may not have.
    if (Status synced = writer_->Sync(); !synced.ok()) return Drop(synced);
    DOCBUS_RETURN_IF_ERROR(store_.SaveFetch(
        message_id_, attachment_, digests_[attachment_], writer_->offset()));
    unsynced_chunks_ = 0;
  }
  return Advance();
}

std::optional<std::string> ChunkFetcher::NextFetch(int64_t now_ms) {
  while (!waiting_.empty() && writer_ == nullptr) {
    // Opening failed on storage: start over on the same document.
    if (!StartNext().ok()) return std::nullopt;
  }
  if (waiting_.empty()) return std::nullopt;
  if (asked_ms_ >= 0 && now_ms - asked_ms_ < retry_ms_) return std::nullopt;
  if (++tries_ > kMaxTries) {
    if (!Drop(Status(Code::kUnavailable, "no answer from the broker")).ok()) {
      return std::nullopt;
    }
    return NextFetch(now_ms);
  }
  asked_ms_ = now_ms;
  v1::Frame frame;
  v1::FetchChunk* fetch = frame.mutable_fetch_chunk();
  fetch->set_delivery_id(waiting_.front().delivery_id());
  fetch->set_attachment(static_cast<uint32_t>(attachment_));
  fetch->set_offset(writer_->offset());
  return frame.SerializeAsString();
}

std::vector<FetchedDocument> ChunkFetcher::TakeComplete() {
  return std::exchange(complete_, {});
}

void ChunkFetcher::Reset() {
  // The partial files stay, with their recorded lengths, for the next
  // delivery of the same documents.
  waiting_.clear();
  (void)StartNext();
}

}  // namespace docbus::agent
