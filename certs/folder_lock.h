// The lock on a PKI folder (<dir>/root/lock), held for the duration of one
// `docbus pki` operation so that concurrent runs on the same folder are
// serialised.
#pragma once

#include "bus/core/folder_lock.h"
#include "certs/pki_paths.h"

namespace docbus::pki {

// Blocks until the lock is held. kFailedPrecondition when `paths` has no
// root/ folder (not a PKI folder), kIoError otherwise.
Result<FolderLock> LockPkiFolder(const PkiPaths& paths);

}  // namespace docbus::pki
