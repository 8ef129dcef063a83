// An auditor verifying an exported log: an untouched log passes; altered,
// reordered, truncated and forked logs, and records that break the
// lifecycle rules, fail naming the first bad index.
#include <catch2/catch.hpp>
#include <filesystem>

#include "bus/audit/audit_history.h"
#include "bus/audit/exported_log.h"
#include "bus/audit/log_verifier.h"
#include "bus/audit/tiles.h"
#include "tests/audit/log_builder.h"
#include "tests/audit/test_util.h"

namespace docbus::audit {
namespace {

using testing::ReadFile;
using testing::Record;
using testing::TempDir;
using testing::TestLog;
using testing::WriteFile;

// Byte offset and length of entry `i` (within its bundle) in an export.
std::pair<std::filesystem::path, std::pair<size_t, size_t>> LocateEntry(
    const std::filesystem::path& dir, uint64_t size, int64_t i) {
  int64_t n = i / kTileWidth;
  int width =
      static_cast<int>(std::min<uint64_t>(kTileWidth, size - n * kTileWidth));
  auto path = dir / EntriesPath(n, width);
  std::string bundle = ReadFile(path);
  size_t off = 0;
  for (int64_t k = n * kTileWidth;; ++k) {
    size_t len = (static_cast<uint8_t>(bundle[off]) << 8) |
                 static_cast<uint8_t>(bundle[off + 1]);
    if (k == i) return {path, {off, len + 2}};
    off += 2 + len;
  }
}

VerifyReport Verify(const TestLog& log, const std::filesystem::path& dir,
                    std::optional<std::string> previous = std::nullopt) {
  VerifyOptions options;
  options.previous_checkpoint = std::move(previous);
  return VerifyExportedLog(dir, log.verifier(), options);
}

TEST_CASE("an untouched exported log passes, with every tile checked") {
  TestLog log;
  TempDir dir;
  log.AddBrokerTraffic(50);  // 350 entries
  log.Publish(dir.path());
  log.AddBrokerTraffic(50, "second-");  // 700 entries, published again
  log.Publish(dir.path());
  VerifyReport report = Verify(log, dir.path());
  INFO(report.reason);
  CHECK(report.ok);
  CHECK(report.checkpoint.size == 700);
  CHECK(report.entries_checked == 700);
  CHECK(report.tiles_checked == 4);  // 0/000, 0/001, 0/002.p/188, 1/000.p/2
  // The partial tile of the earlier checkpoint is still served.
  CHECK(std::filesystem::exists(dir.path() / "tile/0/001.p/94"));
  // Every file was renamed into place: no temporary file is left behind.
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(dir.path())) {
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
  }
  // An empty log verifies too.
  TestLog empty;
  TempDir empty_dir;
  empty.Publish(empty_dir.path());
  CHECK(Verify(empty, empty_dir.path()).ok);
}

TEST_CASE("one changed byte in an entry fails at that entry's index") {
  TestLog log;
  TempDir dir;
  log.AddBrokerTraffic(60);  // 420 entries
  log.Publish(dir.path());
  auto [path, span] = LocateEntry(dir.path(), 420, 300);
  std::string bundle = ReadFile(path);
  bundle[span.first + span.second - 1] ^= 0x01;  // last byte of entry 300
  WriteFile(path, bundle);
  VerifyReport report = Verify(log, dir.path());
  CHECK_FALSE(report.ok);
  CHECK(report.first_bad_index == 300);
  CHECK_THAT(report.reason, Catch::Contains("leaf hash"));
}

TEST_CASE("two entries swapped fail at the first of them") {
  TestLog log;
  TempDir dir;
  log.AddBrokerTraffic(30);  // 210 entries, one partial bundle
  log.Publish(dir.path());
  auto [path, a] = LocateEntry(dir.path(), 210, 120);
  auto [path_b, b] = LocateEntry(dir.path(), 210, 121);
  std::string bundle = ReadFile(path);
  std::string swapped =
      bundle.substr(0, a.first) + bundle.substr(b.first, b.second) +
      bundle.substr(a.first, a.second) + bundle.substr(b.first + b.second);
  WriteFile(path, swapped);
  VerifyReport report = Verify(log, dir.path());
  CHECK_FALSE(report.ok);
  CHECK(report.first_bad_index == 120);
}

TEST_CASE(
    "dropped entries: a truncated bundle, or an older checkpoint put "
    "back, are caught") {
  TestLog log;
  TempDir dir;
  log.AddBrokerTraffic(40);  // 280
  std::string older = log.Publish(dir.path());
  log.AddBrokerTraffic(20, "more-");  // 420
  std::string newer = log.Publish(dir.path());

  SECTION("the last bundle cut short") {
    auto [path, span] = LocateEntry(dir.path(), 420, 400);
    std::string bundle = ReadFile(path);
    WriteFile(path, bundle.substr(0, span.first));
    VerifyReport report = Verify(log, dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == 400);
  }
  SECTION(
      "the older checkpoint put back: valid alone, a truncation against "
      "the newer one the auditor kept") {
    WriteFile(dir.path() / "checkpoint", older);
    CHECK(Verify(log, dir.path()).ok);
    VerifyReport report = Verify(log, dir.path(), newer);
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == 280);
    CHECK_THAT(report.reason, Catch::Contains("truncated"));
  }
  SECTION("bytes slipped in after the last entry of a bundle") {
    auto path = dir.path() / EntriesPath(1, 164);
    WriteFile(path, ReadFile(path) + "x");
    VerifyReport report = Verify(log, dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == 419);
    CHECK_THAT(report.reason, Catch::Contains("after its 164 entries"));
  }
  SECTION("the newer log extends the older checkpoint") {
    CHECK(Verify(log, dir.path(), older).ok);
    CHECK(Verify(log, dir.path(), newer).ok);
  }
}

TEST_CASE("a checkpoint of a forked log given as --previous fails") {
  TestLog log;
  TempDir dir, fork_dir;
  log.AddBrokerTraffic(45);  // 315 entries
  // The fork shares the first 300 entries byte for byte, then diverges.
  TestLog fork;
  fork.storage() = MemoryLogStorage();
  // Same key: a fork is signed by the same (misbehaving) log.
  for (int64_t i = 0; i < 300; ++i) {
    fork.AddRaw(*log.storage().ReadEntry(i));
  }
  for (int i = 0; i < 150; ++i) {
    fork.AddRaw(fork.Filled(Record(v1::AUDIT_REJECTED, "f" + std::to_string(i),
                                   "000.00.00.G22", {})));
  }
  log.AddBrokerTraffic(30, "more-");  // 525 entries
  log.Publish(dir.path());
  // Re-sign the fork's checkpoint with the log's key.
  Checkpoint fork_cp{"docbus.test/axis/2026", 450,
                     *TreeHash(450, fork.storage())};
  std::string fork_note = log.signer().Sign(FormatCheckpoint(fork_cp));
  VerifyReport report = Verify(log, dir.path(), fork_note);
  CHECK_FALSE(report.ok);
  CHECK_THAT(report.reason, Catch::Contains("fork"));
  CHECK(report.first_bad_index == 449);

  // The common prefix is consistent.
  Checkpoint prefix{"docbus.test/axis/2026", 300,
                    *TreeHash(300, fork.storage())};
  CHECK(
      Verify(log, dir.path(), log.signer().Sign(FormatCheckpoint(prefix))).ok);
}

TEST_CASE(
    "a signed checkpoint claiming far more entries than the export holds "
    "fails at the first missing one instead of exhausting memory") {
  TestLog log;
  TempDir dir;
  log.AddBrokerTraffic(3);  // 21 entries in tile/entries/000.p/21
  log.Publish(dir.path());
  Checkpoint huge{"docbus.test/axis/2026", uint64_t{1} << 60, LeafHash("x")};
  WriteFile(dir.path() / "checkpoint",
            log.signer().Sign(FormatCheckpoint(huge)));
  VerifyReport report = Verify(log, dir.path());
  CHECK_FALSE(report.ok);
  CHECK(report.first_bad_index == 0);
  CHECK_THAT(report.reason, Catch::Contains("tile/entries/000"));
  CHECK(LoadExportedLog(dir.path()).status().code() == Code::kNotFound);
}

TEST_CASE("a checkpoint with a bad signature or another root fails") {
  TestLog log;
  TempDir dir;
  log.AddBrokerTraffic(10);
  log.Publish(dir.path());
  std::string note = ReadFile(dir.path() / "checkpoint");
  SECTION("signed by another key") {
    TestLog other;
    auto text = *UnverifiedNoteText(note);
    WriteFile(dir.path() / "checkpoint", other.signer().Sign(text));
    VerifyReport report = Verify(log, dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == -1);
    CHECK_THAT(report.reason, Catch::Contains("checkpoint"));
  }
  SECTION("a root that is not the entries' root") {
    Checkpoint cp{"docbus.test/axis/2026", 70, LeafHash("other")};
    WriteFile(dir.path() / "checkpoint",
              log.signer().Sign(FormatCheckpoint(cp)));
    VerifyReport report = Verify(log, dir.path());
    CHECK_FALSE(report.ok);
    CHECK_THAT(report.reason, Catch::Contains("root"));
  }
  SECTION("a level-1 tile replaced") {
    TestLog big;
    TempDir big_dir;
    big.AddBrokerTraffic(40);  // 280 entries: tile/1/000.p/1
    big.Publish(big_dir.path());
    WriteFile(big_dir.path() / "tile/1/000.p/1", std::string(32, 'x'));
    VerifyReport report = Verify(big, big_dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == 0);
    CHECK_THAT(report.reason, Catch::Contains("tile/1/000.p/1"));
  }
}

TEST_CASE("lifecycle violations fail at the offending record") {
  TestLog log;
  TempDir dir;
  log.AddBrokerTraffic(3);  // 21 entries
  const std::string a = "000.00.00.G22", b = "000.00.01.H01";

  SECTION("DELIVERED without an ACCEPTED") {
    log.Add(Record(v1::AUDIT_DELIVERED, "never-accepted", a, {b}, 0));
    log.Publish(dir.path());
    VerifyReport report = Verify(log, dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == 21);
    CHECK_THAT(report.reason, Catch::Contains("ACCEPTED"));
  }
  SECTION("DELIVERED to an agency the document was not addressed to") {
    log.Add(Record(v1::AUDIT_DELIVERED, "msg-1", a, {"000.00.09.H09"}, 8));
    log.Publish(dir.path());
    VerifyReport report = Verify(log, dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == 21);
    CHECK_THAT(report.reason, Catch::Contains("recipient"));
  }
  SECTION("EXPIRED after DELIVERED") {
    log.Add(Record(v1::AUDIT_EXPIRED, "msg-0", a, {b}, 1));
    log.Publish(dir.path());
    VerifyReport report = Verify(log, dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == 21);
    CHECK_THAT(report.reason, Catch::Contains("after it was DELIVERED"));
  }
  SECTION("a duplicate event id") {
    v1::AuditRecord r = Record(v1::AUDIT_REJECTED, "x", a, {});
    r.set_event_id(std::string(16, '\x07'));
    log.Add(r);
    log.Add(Record(v1::AUDIT_REJECTED, "y", a, {}));
    log.Add(r);
    log.Publish(dir.path());
    VerifyReport report = Verify(log, dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == 23);
    CHECK_THAT(report.reason, Catch::Contains("event_id"));
  }
  SECTION("time going backwards") {
    v1::AuditRecord r = log.Filled(Record(v1::AUDIT_REJECTED, "x", a, {}));
    r.set_time_unix_ms(r.time_unix_ms() - 10'000);
    log.AddRaw(r);
    log.Publish(dir.path());
    VerifyReport report = Verify(log, dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == 21);
    CHECK_THAT(report.reason, Catch::Contains("time"));
  }
  SECTION("a record of another log origin") {
    v1::AuditRecord r = log.Filled(Record(v1::AUDIT_REJECTED, "x", a, {}));
    r.set_log_origin("docbus.test/other");
    log.AddRaw(r);
    log.Publish(dir.path());
    VerifyReport report = Verify(log, dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == 21);
    CHECK_THAT(report.reason, Catch::Contains("log_origin"));
  }
  SECTION("a second ACCEPTED of one document, and a NOTIFIED of nothing") {
    log.Add(Record(v1::AUDIT_ACCEPTED, "msg-2", a, {b}));
    log.Add(Record(v1::AUDIT_NOTIFIED, "msg-2", "", {a}, 1));
    log.Publish(dir.path());
    VerifyReport report = Verify(log, dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == 21);
    CHECK_THAT(report.reason, Catch::Contains("ACCEPTED twice"));
  }
  SECTION("an agent log: SENT twice") {
    TestLog agent("docbus.test/agency/000.00.01.H01");
    TempDir agent_dir;
    agent.Add(Record(v1::AUDIT_SENT, "m1", b, {a}));
    agent.Add(Record(v1::AUDIT_RECEIVED, "m2", a, {b}));
    agent.Add(Record(v1::AUDIT_SENT, "m1", b, {a}));
    agent.Publish(agent_dir.path());
    VerifyReport report = Verify(agent, agent_dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_index == 2);
    CHECK_THAT(report.reason, Catch::Contains("SENT"));
  }
}

TEST_CASE("the tiles layout follows c2sp.org/tlog-tiles") {
  CHECK(TileIndexPath(1234067) == "x001/x234/067");
  CHECK(TileIndexPath(0) == "000");
  CHECK(TilePath(0, 1234067) == "tile/0/x001/x234/067");
  CHECK(TilePath(3, 5, 2) == "tile/3/005.p/2");
  CHECK(EntriesPath(1, 16) == "tile/entries/001.p/16");

  // The spec's 70,000-entry example.
  TestLog log;
  TempDir dir;
  for (int i = 0; i < 70000; ++i) {
    log.AddRaw("entry " + std::to_string(i));
  }
  Checkpoint cp{"docbus.test/axis/2026", 70000,
                *TreeHash(70000, log.storage())};
  REQUIRE(PublishTiles(log.storage(), 0, 70000,
                       log.signer().Sign(FormatCheckpoint(cp)), dir.path())
              .ok());
  auto has = [&](const std::string& p) {
    return std::filesystem::exists(dir.path() / p);
  };
  CHECK(has("tile/0/272"));
  CHECK(has("tile/0/273.p/112"));
  CHECK_FALSE(has("tile/0/273"));
  CHECK(has("tile/1/000"));
  CHECK(has("tile/1/001.p/17"));
  CHECK(has("tile/2/000.p/1"));
  CHECK(has("tile/entries/273.p/112"));
  CHECK(std::filesystem::file_size(dir.path() / "tile/1/000") == 8192);
  // tile/1/000 holds the roots of the 256 full level-0 tiles.
  std::string level1 = ReadFile(dir.path() / "tile/1/000");
  Hash first = *TreeHash(256, log.storage());
  CHECK(level1.substr(0, 32) == HashBytes(first));
}

}  // namespace
}  // namespace docbus::audit
