// ChunkFetcher: large documents delivered in chunks (proto/README.md, "Large
// attachments"). A Deliver whose document is chunked waits here while its
// attachments are fetched one chunk at a time, one document at a time (the
// others wait in arrival order). Each attachment's chunks go straight into
// its partial file (AttachmentFileStore, hashed as written), never into memory;
// every kSyncChunks chunks, and at the end, the file is fsynced and the
// durable length recorded in inbox_fetches (inside the loop turn's
// transaction). A Deliver sent again after a restart of the agent or the
// broker (same message id, same digests) takes the fetch up at that length.
// Once every attachment's bytes match the manifest's SHA-256 the files are
// committed and the document becomes an ordinary Deliver whose attachments
// are in files (FetchedDocument::in_files), which the loop checks, stores and
// acknowledges like any other. A digest mismatch removes the partial file
// and completes the document with kDigestMismatch, so it is refused. A fetch
// left unanswered is asked again; after a few tries, or when the broker
// answers that the piece cannot be had, the document is dropped here (its
// partial files stay for the broker's next delivery).
//
// Thread-safety: loop thread only.
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/agent_store.h"
#include "agents/attachment_files.h"
#include "bus/core/metrics.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::agent {

// A chunked document whose fetch is over.
struct FetchedDocument {
  v1::Frame frame;  // the Deliver, chunked = false, no attachment bytes
  // True when its attachments are committed files (then `fetched` says
  // whether they matched the manifest); false when the manifest could not
  // be fetched at all (too large, malformed: the usual checks refuse it).
  bool in_files = false;
  Status fetched;
};

class ChunkFetcher {
 public:
  // Partial files are fsynced and their length recorded every this many
  // chunks: at most that much is fetched again after a crash.
  static constexpr int kSyncChunks = 8;

  // Documents whose attachments total more than `max_document_bytes` are
  // not fetched (they go on without their bytes, and are refused).
  ChunkFetcher(int64_t retry_ms, uint64_t max_document_bytes, AgentStore& store,
               const AttachmentFileStore& files, Metrics& metrics,
               std::shared_ptr<spdlog::logger> logger)
      : retry_ms_(retry_ms),
        max_document_bytes_(max_document_bytes),
        store_(store),
        files_(files),
        metrics_(metrics),
        logger_(std::move(logger)) {}

  // A Deliver of a chunked document; one already here is ignored. Reads
  // inbox_fetches: a storage failure is returned (the turn rolls back).
  Status Add(const v1::Deliver& deliver);
  // A Chunk from the broker; anything but the awaited chunk is ignored.
  // Non-ok only for a storage failure recording the progress.
  Status OnChunk(const v1::Chunk& chunk);
  // The FetchChunk to send now, if one is due (never asked, or unanswered
  // for retry_ms).
  std::optional<std::string> NextFetch(int64_t now_ms);
  std::vector<FetchedDocument> TakeComplete();
  bool has_complete() const { return !complete_.empty(); }
  // A new session: the broker delivers everything unacknowledged again.
  void Reset();

 private:
  // Starts on the first waiting document, if any.
  Status StartNext();
  // Opens the current attachment's file (or skips it when committed).
  Status OpenAttachment();
  // Moves past complete attachments; finishes the document when all are.
  Status Advance();
  void Finish(bool in_files, Status fetched);
  // Gives up the document being fetched (the broker delivers it again if it
  // is still due) and starts on the next.
  Status Drop(const Status& why);
  const std::string& message_id() const { return message_id_; }

  const int64_t retry_ms_;
  const uint64_t max_document_bytes_;
  AgentStore& store_;
  const AttachmentFileStore& files_;
  Metrics& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  std::deque<v1::Deliver> waiting_;  // the first is being fetched
  std::string message_id_;           // of the first
  std::vector<uint64_t> sizes_;      // of the current document's attachments
  std::vector<std::string> digests_;
  int attachment_ = 0;
  std::unique_ptr<AttachmentFileStore::Writer> writer_;  // of attachment_
  int unsynced_chunks_ = 0;
  int64_t asked_ms_ = -1;  // when the awaited chunk was asked for
  int tries_ = 0;
  std::vector<FetchedDocument> complete_;
};

}  // namespace docbus::agent
