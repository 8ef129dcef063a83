#include "bus/core/disk_space.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace docbus {

Result<DiskReading> StatvfsProbe(const std::filesystem::path& folder) {
  struct statvfs fs {};
  if (statvfs(folder.c_str(), &fs) != 0) {
    return Status(Code::kIoError,
                  "statvfs " + folder.string() + ": " + std::strerror(errno));
  }
  DiskReading r;
  r.free_bytes =
      static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
  r.size_bytes =
      static_cast<int64_t>(fs.f_blocks) * static_cast<int64_t>(fs.f_frsize);
  return r;
}

DiskSpace::DiskSpace(std::filesystem::path folder, int64_t min_free_bytes,
                     const Clock& clock, std::shared_ptr<spdlog::logger> log,
                     DiskProbe probe, int64_t refresh_ms)
    : folder_(std::move(folder)),
      min_free_bytes_(min_free_bytes),
      clock_(clock),
      log_(std::move(log)),
      probe_(std::move(probe)),
      refresh_ms_(refresh_ms) {}

void DiskSpace::RefreshLocked() {
  const int64_t now = clock_.MonotonicMillis();
  if (state_.known && now - read_at_ms_ < refresh_ms_) return;
  read_at_ms_ = now;
  Result<DiskReading> reading = probe_(folder_);
  if (!reading.ok()) return;  // keep the last state; never block on this
  const bool was = state_.exhausted;
  state_.reading = *reading;
  state_.known = true;
  state_.exhausted =
      min_free_bytes_ > 0 && reading->free_bytes < min_free_bytes_;
  if (state_.exhausted && !was) {
    log_->error(
        "data folder {} has {} bytes free, below limits.min_free_bytes = {}: "
        "refusing new submissions and uploads until space returns",
        folder_.string(), reading->free_bytes, min_free_bytes_);
  } else if (!state_.exhausted && was) {
    log_->info(
        "data folder {} has {} bytes free again (limits.min_free_bytes = {}): "
        "accepting new submissions and uploads",
        folder_.string(), reading->free_bytes, min_free_bytes_);
  }
}

Status DiskSpace::CheckRoom() {
  if (min_free_bytes_ <= 0) return Status::Ok();
  std::lock_guard lock(mu_);
  RefreshLocked();
  if (!state_.exhausted) return Status::Ok();
  return Status(Code::kResourceExhausted,
                "data folder " + folder_.string() + " has " +
                    std::to_string(state_.reading.free_bytes) +
                    " bytes free, below limits.min_free_bytes = " +
                    std::to_string(min_free_bytes_));
}

DiskState DiskSpace::Read() {
  std::lock_guard lock(mu_);
  RefreshLocked();
  return state_;
}

}  // namespace docbus
