// OutboxSender: keeps the agent's submissions flowing to the broker,
// pipelined. Up to `window` outbox entries are in flight (sent, not yet
// answered) at once; each is sent again when unanswered after
// `retransmit_ms`, and everything unanswered is sent again after a new
// session (Reset). Entries committed during the session are sent from
// memory; a backlog (after a restart, a reconnect, or more than a window
// queued) is read from the store in seq order, so memory stays bounded
// whatever the outbox holds. The broker deduplicates, so sending twice is
// harmless; what is never allowed is losing one. A large document's
// attachments go first as an AttachmentUpload (one document at a time; later
// large ones wait), then its Submit{chunked} is in flight like any entry.
//
// Thread-safety: loop thread only.
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <memory>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "agents/agent_store.h"
#include "agents/attachment_upload.h"
#include "agents/outbox_files.h"
#include "bus/core/metrics.h"

namespace docbus::agent {

class OutboxSender {
 public:
  // Sends one frame; true when it was handed to the transport.
  using SendFn = std::function<bool(std::string_view frame)>;

  // `files` hold the attachment bytes of chunked uploads; metrics count the
  // chunk bytes sent; a chunk that cannot be read is logged once per upload.
  OutboxSender(size_t window, int64_t max_in_flight_bytes,
               int64_t retransmit_ms, const OutboxFiles& files,
               Metrics& metrics, std::shared_ptr<spdlog::logger> log);

  // An entry committed to the outbox during this session.
  void OnCommitted(PendingFrame frame);
  // The broker answered an entry (Accepted or a final Rejected).
  void OnAnswered(std::string_view message_id);
  // A new session: nothing in flight any more; all pending entries are read
  // again from the store.
  void Reset();
  // The broker's ChunkStored for the upload in progress: sends what follows.
  void OnChunkStored(const v1::ChunkStored& stored, int64_t now_ms,
                     const SendFn& send);
  // The broker answered Rejected{UNAVAILABLE}: an uploaded document whose
  // upload it does not hold whole is uploaded again.
  void OnUnavailable(std::string_view message_id, int64_t now_ms,
                     const SendFn& send);

  // Sends pending entries until the window is full or `send` refuses.
  // Storage errors are returned (nothing is lost; the next call retries).
  Status Fill(AgentStore& store, int64_t now_ms, const SendFn& send);
  // Sends again the entries unanswered for retransmit_ms.
  void Retransmit(int64_t now_ms, const SendFn& send);

  size_t in_flight() const { return in_flight_.size(); }
  bool window_full() const;
  // True when pending entries may wait beyond the window (in the store or
  // in memory).
  bool has_waiting() const { return backlog_ || !fresh_.empty(); }

 private:
  struct InFlight {
    int64_t seq;
    std::string frame;
    int64_t sent_ms;  // or its upload's last step (chunk or Submit)
  };
  // Sends one entry; on success it is in flight.
  bool SendOne(PendingFrame& frame, int64_t now_ms, const SendFn& send);
  // Sends the upload's next chunk, or its Submit once the broker holds all.
  void SendUploadStep(int64_t now_ms, const SendFn& send);

  const size_t window_;
  const int64_t max_in_flight_bytes_;
  const int64_t retransmit_ms_;
  std::unordered_map<std::string, InFlight> in_flight_;
  int64_t in_flight_bytes_ = 0;
  std::deque<PendingFrame> fresh_;  // committed, not yet sent, seq > cursor_
  int64_t fresh_bytes_ = 0;
  int64_t cursor_ = 0;  // highest seq sent in this session
  bool backlog_ =
      true;  // pending entries beyond cursor_ may be only in the store
  std::optional<AttachmentUpload> upload_;  // until its entry is answered
  bool upload_failed_ = false;  // its last chunk could not be read (logged)
  const OutboxFiles& files_;
  Metrics& metrics_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace docbus::agent
