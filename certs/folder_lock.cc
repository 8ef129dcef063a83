#include "certs/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace docbus::pki {

Result<FolderLock> FolderLock::Acquire(const PkiPaths& paths) {
  const std::filesystem::path file = paths.root_dir() / "lock";
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Status(Code::kFailedPrecondition,
                    paths.dir().string() +
                        " is not a PKI folder (run `docbus pki init` first)");
    }
    return Status(Code::kIoError,
                  "cannot open " + file.string() + ": " + std::strerror(errno));
  }
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      const int err = errno;
      ::close(fd);
      return Status(Code::kIoError,
                    "cannot lock " + file.string() + ": " + std::strerror(err));
    }
  }
  return FolderLock(fd);
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace docbus::pki
