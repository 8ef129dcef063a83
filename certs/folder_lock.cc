#include "certs/folder_lock.h"

namespace docbus::pki {

Result<FolderLock> LockPkiFolder(const PkiPaths& paths) {
  Result<FolderLock> lock = FolderLock::Acquire(paths.root_dir() / "lock");
  if (lock.status().code() == Code::kNotFound) {
    return Status(Code::kFailedPrecondition,
                  paths.dir().string() +
                      " is not a PKI folder (run `docbus pki init` first)");
  }
  return lock;
}

}  // namespace docbus::pki
