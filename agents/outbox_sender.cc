#include "agents/outbox_sender.h"

#include "agents/agent_metrics.h"
#include "bus/core/chunks.h"

namespace docbus::agent {
namespace {

// The most frame bytes read from the outbox at once.
constexpr int64_t kBacklogBatchBytes = int64_t{64} << 20;

}  // namespace

OutboxSender::OutboxSender(size_t window, int64_t max_in_flight_bytes,
                           int64_t retransmit_ms, const OutboxFiles& files,
                           Metrics& metrics,
                           std::shared_ptr<spdlog::logger> log)
    : window_(window),
      max_in_flight_bytes_(max_in_flight_bytes),
      retransmit_ms_(retransmit_ms),
      files_(files),
      metrics_(metrics),
      log_(std::move(log)) {}

void OutboxSender::OnCommitted(PendingFrame frame) {
  if (backlog_) return;  // the store has it, behind older pending entries
  const auto size = static_cast<int64_t>(frame.frame.size());
  if (fresh_.size() >= window_ || fresh_bytes_ + size > max_in_flight_bytes_) {
    // Too much waiting: drop the copies and read them back from the store
    // when there is room.
    fresh_.clear();
    fresh_bytes_ = 0;
    backlog_ = true;
    return;
  }
  fresh_bytes_ += size;
  fresh_.push_back(std::move(frame));
}

void OutboxSender::OnAnswered(std::string_view message_id) {
  if (upload_.has_value() && upload_->message_id() == message_id) {
    upload_.reset();
    upload_failed_ = false;
  }
  auto it = in_flight_.find(std::string(message_id));
  if (it == in_flight_.end()) return;
  in_flight_bytes_ -= static_cast<int64_t>(it->second.frame.size());
  in_flight_.erase(it);
}

void OutboxSender::Reset() {
  in_flight_.clear();
  in_flight_bytes_ = 0;
  fresh_.clear();
  fresh_bytes_ = 0;
  cursor_ = 0;
  backlog_ = true;
  upload_.reset();
}

void OutboxSender::OnChunkStored(const v1::ChunkStored& stored, int64_t now_ms,
                                 const SendFn& send) {
  if (!upload_.has_value() || upload_->message_id() != stored.message_id() ||
      !upload_->OnStored(stored.attachment(), stored.received())) {
    return;  // not the upload in progress, or nothing new
  }
  SendUploadStep(now_ms, send);
}

void OutboxSender::OnUnavailable(std::string_view message_id, int64_t now_ms,
                                 const SendFn& send) {
  if (!upload_.has_value() || upload_->message_id() != message_id) return;
  upload_->Restart();
  SendUploadStep(now_ms, send);
}

void OutboxSender::SendUploadStep(int64_t now_ms, const SendFn& send) {
  InFlight& entry = in_flight_[upload_->message_id()];
  entry.sent_ms = now_ms;
  if (upload_->done()) {
    send(entry.frame);
    return;
  }
  // A file that cannot be read now is tried again at the next
  // retransmission (the document stays pending, nothing is lost).
  Result<std::string> chunk = upload_->NextChunkFrame();
  if (!chunk.ok()) {
    if (!upload_failed_) {
      log_->error("upload message_id={} cannot read its attachment: {}",
                  upload_->message_id(), chunk.status().ToString());
    }
    upload_failed_ = true;
    return;
  }
  upload_failed_ = false;
  const uint64_t bytes = upload_->NextChunkBytes();
  if (send(*chunk)) {
    metrics_.Add(metric::kChunkBytesSent, "", static_cast<double>(bytes));
  }
}

bool OutboxSender::window_full() const {
  return in_flight_.size() >= window_ ||
         in_flight_bytes_ >= max_in_flight_bytes_;
}

bool OutboxSender::SendOne(PendingFrame& frame, int64_t now_ms,
                           const SendFn& send) {
  // Unanswered sends are repeated by Retransmit, so a refused send of an
  // upload's step costs only time.
  if (frame.attachments_in_files || frame.frame.size() > kChunkedAbove) {
    if (upload_.has_value()) return false;  // one upload at a time
    upload_ = AttachmentUpload::For(frame, files_);
    if (upload_.has_value()) {
      cursor_ = frame.seq;
      in_flight_bytes_ += static_cast<int64_t>(upload_->submit_frame().size());
      in_flight_[frame.message_id] =
          InFlight{frame.seq, upload_->submit_frame(), now_ms};
      SendUploadStep(now_ms, send);
      return true;
    }
  }
  if (!send(frame.frame)) return false;
  cursor_ = frame.seq;
  in_flight_bytes_ += static_cast<int64_t>(frame.frame.size());
  in_flight_[frame.message_id] =
      InFlight{frame.seq, std::move(frame.frame), now_ms};
  return true;
}

Status OutboxSender::Fill(AgentStore& store, int64_t now_ms,
                          const SendFn& send) {
  while (!window_full()) {
    if (!backlog_) {
      if (fresh_.empty()) return Status::Ok();
      PendingFrame& next = fresh_.front();
      const auto size = static_cast<int64_t>(next.frame.size());
      if (!SendOne(next, now_ms, send)) return Status::Ok();
      fresh_bytes_ -= size;
      fresh_.pop_front();
      continue;
    }
    // A large document waits for the upload in progress, and so does the
    // backlog behind it (rather than being read again every turn).
    if (upload_.has_value()) return Status::Ok();
    const int want = static_cast<int>(window_ - in_flight_.size());
    DOCBUS_ASSIGN_OR_RETURN(
        std::vector<PendingFrame> batch,
        store.PendingFrames(cursor_, want, kBacklogBatchBytes));
    int64_t batch_bytes = 0;
    for (const PendingFrame& frame : batch) batch_bytes += frame.frame.size();
    const bool caught_up = static_cast<int>(batch.size()) < want &&
                           batch_bytes < kBacklogBatchBytes;
    for (PendingFrame& frame : batch) {
      // An entry may be in flight already if it was answered "unavailable"
      // and is waiting for its retransmission.
      if (in_flight_.contains(frame.message_id)) {
        cursor_ = frame.seq;
        continue;
      }
      if (window_full() || !SendOne(frame, now_ms, send)) return Status::Ok();
    }
    if (caught_up) {
      backlog_ = false;
      return Status::Ok();
    }
  }
  return Status::Ok();
}

void OutboxSender::Retransmit(int64_t now_ms, const SendFn& send) {
  for (auto& [id, entry] : in_flight_) {
    if (entry.sent_ms + retransmit_ms_ > now_ms) continue;
    if (upload_.has_value() && upload_->message_id() == id) {
      SendUploadStep(now_ms, send);  // its next chunk, or its Submit again
      continue;
    }
    if (!send(entry.frame)) return;
    entry.sent_ms = now_ms;
  }
}

}  // namespace docbus::agent
