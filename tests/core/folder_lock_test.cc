#include "bus/core/folder_lock.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <optional>

#include "bus/core/files.h"
#include "tests/temp_dir.h"

namespace docbus {

// A data folder has one daemon: while one holds the lock a second is refused
// at once, told who holds it; once the first lets go, the next one gets it.
TEST_CASE("a folder lock refuses a second holder, naming the first one's pid",
          "[folder_lock]") {
  const testing::TempDir tmp("docbus-lock");
  const std::filesystem::path file = tmp.path() / "lock";
  const std::string pid = std::to_string(::getpid());
  {
    Result<FolderLock> first = FolderLock::TryAcquire(file);
    REQUIRE(first.ok());
    Result<std::string> written = ReadFileLimited(file, 64);
    REQUIRE(written.ok());
    CHECK(*written == pid + "\n");

    Result<FolderLock> second = FolderLock::TryAcquire(file);
    REQUIRE_FALSE(second.ok());
    CHECK(second.status().code() == Code::kUnavailable);
    CHECK(second.status().message() ==
          tmp.path().string() + " is in use by another process (pid " + pid +
              ")");
  }
  Result<FolderLock> after = FolderLock::TryAcquire(file);
  CHECK(after.ok());
  std::optional<FolderLock> moved;
  moved.emplace(std::move(after).value());
  CHECK_FALSE(FolderLock::TryAcquire(file).ok());  // the move kept it held
}

TEST_CASE("a folder lock in a folder that does not exist is not found",
          "[folder_lock]") {
  const testing::TempDir tmp("docbus-lock");
  Result<FolderLock> lock = FolderLock::Acquire(tmp.path() / "missing/lock");
  CHECK(lock.status().code() == Code::kNotFound);
}

}  // namespace docbus
