#include "bus/core/disk_space.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "bus/core/log.h"

namespace docbus {
namespace {

// A file system whose free space the test sets, counting the reads.
struct FakeDisk {
  int64_t free_bytes = 0;
  bool fails = false;
  int reads = 0;
  DiskProbe probe() {
    return [this](const std::filesystem::path&) -> Result<DiskReading> {
      ++reads;
      if (fails) return Status(Code::kIoError, "statvfs failed");
      return DiskReading{free_bytes, int64_t{1} << 30};
    };
  }
};

// A 64 MiB threshold on a disk with 100 MiB free, on a fake clock.
struct Fixture {
  Fixture() { disk.free_bytes = 100 << 20; }
  FakeClock clock;
  FakeDisk disk;
  DiskSpace space{"/data", 64 << 20, clock, ComponentLogger("test"),
                  disk.probe()};
};

TEST_CASE("new work is refused below min_free_bytes and taken again above",
          "[disk_space]") {
  Fixture f;
  auto& [clock, disk, space] = f;
  CHECK(space.CheckRoom().ok());

  disk.free_bytes = 10 << 20;
  clock.Advance(std::chrono::seconds(1));
  const Status full = space.CheckRoom();
  CHECK(full.code() == Code::kResourceExhausted);
  CHECK(full.message() ==
        "data folder /data has 10485760 bytes free, below "
        "limits.min_free_bytes = 67108864");
  CHECK(space.Read().exhausted);

  disk.free_bytes = 65 << 20;
  clock.Advance(std::chrono::seconds(1));
  CHECK(space.CheckRoom().ok());
  CHECK_FALSE(space.Read().exhausted);
}

TEST_CASE("the file system is read at most once per refresh interval",
          "[disk_space]") {
  Fixture f;
  auto& [clock, disk, space] = f;
  for (int i = 0; i < 100; ++i) CHECK(space.CheckRoom().ok());
  CHECK(disk.reads == 1);
  disk.free_bytes = 1;  // not seen until the interval passed
  CHECK(space.CheckRoom().ok());
  clock.Advance(std::chrono::milliseconds(1000));
  CHECK(space.CheckRoom().code() == Code::kResourceExhausted);
  CHECK(disk.reads == 2);
}

TEST_CASE("a failed read keeps the last state; 0 turns the check off",
          "[disk_space]") {
  Fixture f;
  auto& [clock, disk, space] = f;
  disk.free_bytes = 1;
  CHECK(space.CheckRoom().code() == Code::kResourceExhausted);
  disk.fails = true;
  clock.Advance(std::chrono::seconds(5));
  CHECK(space.CheckRoom().code() == Code::kResourceExhausted);

  DiskSpace off("/data", 0, clock, ComponentLogger("test"), disk.probe());
  CHECK(off.CheckRoom().ok());
}

TEST_CASE("statvfs reads a real folder", "[disk_space]") {
  Result<DiskReading> r = StatvfsProbe(std::filesystem::temp_directory_path());
  REQUIRE(r.ok());
  CHECK(r->size_bytes > 0);
  CHECK(r->free_bytes <= r->size_bytes);
  CHECK(StatvfsProbe("/no/such/folder/at/all").status().code() ==
        Code::kIoError);
}

}  // namespace
}  // namespace docbus
