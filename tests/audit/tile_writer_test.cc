// TileWriter: publications written off the caller's thread end up exactly as
// PublishTiles writes them, also after a failed write.
#include "bus/audit/tile_writer.h"

#include <catch2/catch.hpp>
#include <map>

#include "tests/audit/log_builder.h"
#include "tests/audit/test_util.h"

namespace docbus::audit::testing {
namespace {

namespace fs = std::filesystem;

// Every file under `dir` (relative path → bytes).
std::map<std::string, std::string> Files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file())
      out[fs::relative(e.path(), dir).string()] = ReadFile(e.path());
  }
  return out;
}

TEST_CASE(
    "the tile writer publishes what PublishTiles writes, checkpoint included",
    "[tiles]") {
  TempDir tmp;
  TestLog log;
  TileWriter writer(tmp.path() / "async", 0);
  for (int round = 0; round < 3; ++round) {
    log.AddBrokerTraffic(20, "r" + std::to_string(round) + "-");
    const std::string note = log.Publish(tmp.path() / "sync");
    REQUIRE(writer.Publish(log.storage(), log.storage().entries().size(), note)
                .ok());
  }
  writer.Flush();
  CHECK_FALSE(writer.TakeFailure().has_value());
  const auto written = Files(tmp.path() / "async");
  CHECK(written.count("checkpoint") == 1);
  CHECK(written.size() > 6);
  CHECK(written == Files(tmp.path() / "sync"));
}

TEST_CASE(
    "a backlog too large to queue is written at once, and a writer "
    "stopped writes what it was handed",
    "[tiles]") {
  TempDir tmp;
  TestLog log;
  log.AddBrokerTraffic(30, "a-");
  const uint64_t size = log.storage().entries().size();
  const std::string note = log.Publish(tmp.path() / "sync");
  {
    TileWriter writer(tmp.path() / "direct", 0,
                      /*max_queued_entries=*/size - 1);
    REQUIRE(writer.Publish(log.storage(), size, note).ok());
    // Written before Publish returned: no Flush needed.
    CHECK(ReadFile(tmp.path() / "direct" / "checkpoint") == note);
  }
  {
    TileWriter writer(tmp.path() / "queued", 0);
    REQUIRE(writer.Publish(log.storage(), size, note).ok());
  }  // destroyed without a Flush
  CHECK(Files(tmp.path() / "direct") == Files(tmp.path() / "sync"));
  CHECK(Files(tmp.path() / "queued") == Files(tmp.path() / "sync"));
}

// A log and a writer whose first publication fails: a file stands where the
// tiles folder must go, and is removed once the write failed.
struct FailedFirstPublication {
  TempDir tmp;
  TestLog log;
  const fs::path dir = tmp.path() / "async";
  TileWriter writer{dir, 0};
  std::string first;

  FailedFirstPublication() {
    log.AddBrokerTraffic(20, "a-");
    first = log.Publish(tmp.path() / "sync");
    WriteFile(dir / "tile", "in the way");
    REQUIRE(Publish(first).ok());
    writer.Flush();
    fs::remove(dir / "tile");
  }
  Status Publish(const std::string& note) {
    return writer.Publish(log.storage(), log.storage().entries().size(), note);
  }
};

TEST_CASE(
    "after a failed write the tile writer reports it once and publishes again "
    "everything not written",
    "[tiles]") {
  FailedFirstPublication f;
  std::optional<Status> failed = f.writer.TakeFailure();
  REQUIRE(failed.has_value());
  CHECK(failed->code() == Code::kIoError);
  CHECK_FALSE(f.writer.TakeFailure().has_value());
  CHECK_FALSE(
      fs::exists(f.dir / "checkpoint"));  // nothing claims the tiles exist

  f.log.AddBrokerTraffic(20, "b-");
  const std::string second = f.log.Publish(f.tmp.path() / "sync");
  REQUIRE(f.Publish(second).ok());
  f.writer.Flush();
  CHECK_FALSE(f.writer.TakeFailure().has_value());
  CHECK(ReadFile(f.dir / "checkpoint") == second);
  // As one publication of the whole log: the failed one's partial tiles
  // are not needed by any checkpoint shown.
  REQUIRE(PublishTiles(f.log.storage(), 0, f.log.storage().entries().size(),
                       second, f.tmp.path() / "whole")
              .ok());
  CHECK(Files(f.dir) == Files(f.tmp.path() / "whole"));
}

TEST_CASE(
    "a failure not yet taken is returned by the next publication, which "
    "then starts again from what was written",
    "[tiles]") {
  FailedFirstPublication f;
  CHECK(f.Publish(f.first).code() == Code::kIoError);
  REQUIRE(f.Publish(f.first).ok());
  f.writer.Flush();
  CHECK(Files(f.dir) == Files(f.tmp.path() / "sync"));
}

}  // namespace
}  // namespace docbus::audit::testing
