// An exclusive lock on a PKI folder (flock on <dir>/root/lock), held for the
// duration of one `docbus pki` operation so that concurrent runs on the same
// folder are serialised. Move-only; released on destruction.
#pragma once

#include "bus/core/status.h"
#include "certs/pki_paths.h"

namespace docbus::pki {

class FolderLock {
 public:
  // Blocks until the lock is held. kFailedPrecondition when `paths` has no
  // root/ folder (not a PKI folder), kIoError otherwise.
  static Result<FolderLock> Acquire(const PkiPaths& paths);

  FolderLock(FolderLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FolderLock& operator=(FolderLock&&) = delete;
  ~FolderLock();

 private:
  explicit FolderLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace docbus::pki
