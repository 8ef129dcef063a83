// ChunkFetcher: large documents delivered in chunks (proto/README.md, "Large
// attachments"). A Deliver whose document is chunked waits here while its
// attachments are fetched one chunk at a time, one document at a time (the
// others wait in arrival order). Once complete it becomes an ordinary
// Deliver frame, which the loop checks, stores and acknowledges like any
// other. A fetch left unanswered is asked again; after a few tries, or when
// the broker answers that the piece cannot be had, the document is dropped
// here (the broker's retransmission starts it anew if it is still due).
//
// Thread-safety: loop thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "docbus/v1/wire.pb.h"

namespace docbus::agent {

class ChunkFetcher {
 public:
  // Documents whose attachments total more than `max_document_bytes` are
  // not fetched (they go on without their bytes, and are refused).
  ChunkFetcher(int64_t retry_ms, uint64_t max_document_bytes)
      : retry_ms_(retry_ms), max_document_bytes_(max_document_bytes) {}

  // A Deliver of a chunked document; one already here is ignored.
  void Add(const v1::Deliver& deliver);
  // A Chunk from the broker; anything but the awaited chunk is ignored.
  void OnChunk(v1::Chunk& chunk);
  // The FetchChunk to send now, if one is due (never asked, or unanswered
  // for retry_ms).
  std::optional<std::string> NextFetch(int64_t now_ms);
  // Complete Deliver frames, parsed already, to handle as if just received
  // (handed over as messages: serializing a large document only for the
  // loop to parse it again would copy every attachment byte twice).
  std::vector<v1::Frame> TakeComplete();
  bool has_complete() const { return !complete_.empty(); }
  // A new session: the broker delivers everything unacknowledged again.
  void Reset();

 private:
  // Starts on the first waiting document, if any.
  void StartNext();
  // Moves past complete attachments; finishes the document when all are.
  void Advance();
  // Gives up the document being fetched (the broker delivers it again if it
  // is still due) and starts on the next.
  void Drop();

  const int64_t retry_ms_;
  const uint64_t max_document_bytes_;
  std::deque<v1::Deliver> waiting_;  // the first is being fetched
  std::vector<uint64_t> sizes_;      // of the current document's attachments
  int attachment_ = 0;
  std::string data_;       // of the current attachment, so far
  int64_t asked_ms_ = -1;  // when the awaited chunk was asked for
  int tries_ = 0;
  std::vector<v1::Frame> complete_;
};

}  // namespace docbus::agent
