// TileWriter: publishes a log's tiles, entry bundles and checkpoint (see
// tiles.h) into its tiles folder from a thread of its own, in the order the
// publications were handed over. A publication is a few dozen files, each
// synced with its folder; written on the loop that signs checkpoints, those
// syncs stalled every document in flight for tens of milliseconds once per
// checkpoint interval. The files are read from the log on the caller's
// thread (the log's storage belongs to it); only the writing moves.
//
// After a failed write the writer drops what is queued behind it (those
// publications assume the failed one's files exist); the failure is reported
// once, and the next publication starts again from what was written.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "bus/audit/log_storage.h"
#include "bus/audit/tiles.h"
#include "bus/core/status.h"

namespace docbus::audit {

class TileWriter {
 public:
  static constexpr uint64_t kMaxQueuedEntries = 1 << 16;

  // `shown_size`: the size of the checkpoint the folder already shows.
  TileWriter(std::filesystem::path dir, uint64_t shown_size,
             uint64_t max_queued_entries = kMaxQueuedEntries);
  // Writes what was handed over, then stops.
  ~TileWriter();
  TileWriter(const TileWriter&) = delete;
  TileWriter& operator=(const TileWriter&) = delete;

  // Hands over the publication of the log at `size`, signed by `note`: the
  // files that changed since the last publication handed over, read now from
  // `storage`. A backlog above max_queued_entries (the first publication of
  // a long log) is written here and now instead, so memory stays bounded.
  // Returns an earlier publication's write failure not yet taken (nothing is
  // handed over then: call again), or this call's storage or file error.
  Status Publish(LogStorage& storage, uint64_t size, std::string_view note);
  // An earlier publication's write failure, once; nullopt when none.
  std::optional<Status> TakeFailure();
  // Returns when everything handed over is written (or dropped).
  void Flush();

 private:
  struct Publication {
    std::vector<TileFile> files;
    uint64_t size;
  };
  void Run();

  const std::filesystem::path dir_;
  const uint64_t max_queued_entries_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Publication> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::optional<Status> failure_;
  uint64_t written_size_;  // the folder shows this
  uint64_t handed_size_;   // ... and will show this once the queue is written
  std::thread thread_;
};

}  // namespace docbus::audit
