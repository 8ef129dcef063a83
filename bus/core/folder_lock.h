// An exclusive lock on a folder, held by one process at a time: flock(2) on a
// lock file kept in the folder, holding the holder's pid. Released when the
// FolderLock is destroyed or its process dies (kill -9 included: the kernel
// drops it), so a lock never outlives its holder. Move-only.
#pragma once

#include <filesystem>

#include "bus/core/status.h"

namespace docbus {

class FolderLock {
 public:
  // Waits until the lock is held: concurrent `docbus pki` runs take turns.
  // kNotFound when the lock file's folder does not exist, kIoError otherwise.
  static Result<FolderLock> Acquire(const std::filesystem::path& lock_file);
  // Fails at once when another process holds the lock: a daemon's data
  // folder has one daemon. kUnavailable names the folder and the holder's
  // pid; kNotFound / kIoError as Acquire.
  static Result<FolderLock> TryAcquire(const std::filesystem::path& lock_file);

  FolderLock(FolderLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FolderLock& operator=(FolderLock&&) = delete;
  ~FolderLock();

 private:
  explicit FolderLock(int fd) : fd_(fd) {}
  static Result<FolderLock> Lock(const std::filesystem::path& lock_file,
                                 bool wait);
  int fd_;
};

}  // namespace docbus
