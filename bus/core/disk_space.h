// DiskSpace: whether the file system holding a daemon's data folder has room
// for new work. The broker asks it before it stores a Submit or an
// UploadChunk, the agent before it takes a new submission from any front end;
// what frees space (acks, receipts, deliveries, statuses in flight, the audit
// log) never asks. The threshold is an absolute number of bytes,
// `[limits] min_free_bytes` in both daemons' configs (0 turns the check off):
// a percentage would mean a different margin on every disk size, while what
// must fit is one more turn of work, whose size does not grow with the disk.
//
// The file system is read (statvfs: the blocks available to unprivileged
// users) at most once per refresh interval, so the check costs a clock read
// on the hot path. The state changes are logged once each way: on entering
// ("refusing new work") and on leaving ("accepting again"); nothing needs a
// restart to recover.
//
// Thread-safety: every call may be made from any thread.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "bus/core/clock.h"
#include "bus/core/status.h"

namespace docbus {

struct DiskReading {
  int64_t free_bytes = 0;  // available to unprivileged users
  int64_t size_bytes = 0;
};

// Reads the file system holding `folder`; kIoError when it cannot.
using DiskProbe =
    std::function<Result<DiskReading>(const std::filesystem::path&)>;
Result<DiskReading> StatvfsProbe(const std::filesystem::path& folder);

struct DiskState {
  DiskReading reading;
  bool exhausted = false;  // free_bytes < min_free_bytes
  bool known = false;      // the file system was read at least once
};

class DiskSpace {
 public:
  // `log` gets the two state-change lines; `probe` is the seam tests use.
  DiskSpace(std::filesystem::path folder, int64_t min_free_bytes,
            const Clock& clock, std::shared_ptr<spdlog::logger> log,
            DiskProbe probe = StatvfsProbe, int64_t refresh_ms = 1000);

  // Ok while there is room (or the check is off, or the file system cannot
  // be read: a failed statvfs never blocks work, it keeps the last state);
  // otherwise kResourceExhausted "data folder <path> has N bytes free, below
  // limits.min_free_bytes = M".
  Status CheckRoom();
  // The state CheckRoom answers from, refreshed the same way.
  DiskState Read();
  int64_t min_free_bytes() const { return min_free_bytes_; }
  const std::filesystem::path& folder() const { return folder_; }

 private:
  void RefreshLocked();

  const std::filesystem::path folder_;
  const int64_t min_free_bytes_;
  const Clock& clock_;
  const std::shared_ptr<spdlog::logger> log_;
  const DiskProbe probe_;
  const int64_t refresh_ms_;
  std::mutex mu_;
  DiskState state_;
  int64_t read_at_ms_ = 0;
};

}  // namespace docbus
