#include "bus/core/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "bus/core/files.h"

namespace docbus {
namespace {

// The pid the holder wrote, or "unknown".
std::string HolderPid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return "unknown";
  std::string pid(buf, static_cast<size_t>(n));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) {
    pid.pop_back();
  }
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

Result<FolderLock> FolderLock::Acquire(const std::filesystem::path& lock_file) {
  return Lock(lock_file, true);
}

Result<FolderLock> FolderLock::TryAcquire(
    const std::filesystem::path& lock_file) {
  return Lock(lock_file, false);
}

Result<FolderLock> FolderLock::Lock(const std::filesystem::path& lock_file,
                                    bool wait) {
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Status(Code::kNotFound,
                    lock_file.parent_path().string() + " does not exist");
    }
    return IoError("cannot open", lock_file, errno);
  }
  FolderLock lock(fd);
  while (::flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK && !wait) {
      return Status(Code::kUnavailable,
                    lock_file.parent_path().string() +
                        " is in use by another process (pid " + HolderPid(fd) +
                        ")");
    }
    if (errno != EINTR) return IoError("cannot lock", lock_file, errno);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) !=
                                     static_cast<ssize_t>(pid.size())) {
    return IoError("cannot write", lock_file, errno);
  }
  return lock;
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace docbus
