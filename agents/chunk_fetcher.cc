#include "agents/chunk_fetcher.h"

#include <algorithm>
#include <utility>

#include "bus/crypto/attachments.h"

namespace docbus::agent {
namespace {

constexpr int kMaxTries = 5;

}  // namespace

void ChunkFetcher::Add(const v1::Deliver& deliver) {
  // Sent again while it waits (the broker retransmits): already queued.
  if (std::any_of(waiting_.begin(), waiting_.end(), [&](const v1::Deliver& d) {
        return d.delivery_id() == deliver.delivery_id();
      })) {
    return;
  }
  waiting_.push_back(deliver);
  if (waiting_.size() == 1) StartNext();
}

void ChunkFetcher::StartNext() {
  sizes_.clear();
  attachment_ = 0;
  data_.clear();
  asked_ms_ = -1;
  tries_ = 0;
  if (waiting_.empty()) return;
  v1::DocumentDelivery* document = waiting_.front().mutable_document();
  v1::DocumentHeader header;
  // A header that does not parse goes on as it is: the usual checks refuse
  // it with their precise reason.
  const bool parsed = header.ParseFromString(document->document().header());
  if (parsed && crypto::ManifestBytes(header, max_document_bytes_) <=
                    max_document_bytes_) {
    for (const v1::AttachmentManifest& a : header.attachments()) {
      sizes_.push_back(a.size());
      v1::AttachmentData* data = document->add_attachments();
      data->set_sha256(a.sha256());
    }
  }
  Advance();
}

void ChunkFetcher::Advance() {
  v1::DocumentDelivery* document = waiting_.front().mutable_document();
  while (attachment_ < static_cast<int>(sizes_.size()) &&
         data_.size() >= sizes_[attachment_]) {
    document->mutable_attachments(attachment_)->set_data(std::move(data_));
    data_.clear();
    ++attachment_;
  }
  if (attachment_ < static_cast<int>(sizes_.size())) return;
  document->set_chunked(false);
  v1::Frame& frame = complete_.emplace_back();
  *frame.mutable_deliver() = std::move(waiting_.front());
  waiting_.pop_front();
  StartNext();
}

void ChunkFetcher::Drop() {
  waiting_.pop_front();
  StartNext();
}

void ChunkFetcher::OnChunk(v1::Chunk& chunk) {
  if (!waiting_.empty() &&
      chunk.delivery_id() == waiting_.front().delivery_id() &&
      chunk.reason() != v1::REASON_UNSPECIFIED) {
    return Drop();  // e.g. acknowledged already, or expired
  }
  if (waiting_.empty() ||
      chunk.delivery_id() != waiting_.front().delivery_id() ||
      static_cast<int>(chunk.attachment()) != attachment_ ||
      chunk.offset() != data_.size() || chunk.data().empty() ||
      chunk.data().size() > sizes_[attachment_] - data_.size()) {
    return;
  }
  data_ += chunk.data();
  asked_ms_ = -1;
  tries_ = 0;
  Advance();
}

std::optional<std::string> ChunkFetcher::NextFetch(int64_t now_ms) {
  if (waiting_.empty()) return std::nullopt;
  if (asked_ms_ >= 0 && now_ms - asked_ms_ < retry_ms_) return std::nullopt;
  if (++tries_ > kMaxTries) {
    Drop();
    return NextFetch(now_ms);
  }
  asked_ms_ = now_ms;
  v1::Frame frame;
  v1::FetchChunk* fetch = frame.mutable_fetch_chunk();
  fetch->set_delivery_id(waiting_.front().delivery_id());
  fetch->set_attachment(static_cast<uint32_t>(attachment_));
  fetch->set_offset(data_.size());
  return frame.SerializeAsString();
}

std::vector<v1::Frame> ChunkFetcher::TakeComplete() {
  return std::exchange(complete_, {});
}

void ChunkFetcher::Reset() {
  waiting_.clear();
  StartNext();
}

}  // namespace docbus::agent
