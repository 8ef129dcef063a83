// Benchmarks (hidden; run with `audit_test "[.bench]"`): they print figures
// and never assert timings.
//  - appends/s through SqliteLogStorage (file, WAL, synchronous=FULL) in
//    transactions of 256;
//  - `verify` entries/s on an exported log of 1,000,000 entries;
//  - inclusion and consistency proof generation time.
#include <sqlite3.h>
#include <time.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <random>

#include "bus/audit/audit_log.h"
#include "bus/audit/log_verifier.h"
#include "bus/audit/proof.h"
#include "bus/audit/sqlite_log_storage.h"
#include "bus/audit/tiles.h"
#include "tests/audit/log_builder.h"
#include "tests/audit/test_util.h"

namespace docbus::audit {
namespace {

using testing::Record;
using testing::TempDir;
using testing::TestLog;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU time of this thread: on the shared 2-core build machine wall time
// mostly measures the neighbours.
double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void Exec(sqlite3* db, const char* sql) {
  REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
}

v1::AuditRecord Accepted(int i) {
  v1::AuditRecord r =
      Record(v1::AUDIT_ACCEPTED,
             "0190f3a2-7c1e-7abc-9def-" + std::to_string(1000000 + i),
             "000.00.00.G22", {"000.00.01.H01", "000.00.02.H02"});
  r.set_document_id("000.00.00.G22,2026/05/29," + std::to_string(i) + "/VPCP");
  r.add_attachment_sha256(std::string(32, 'a'));
  return r;
}

// Writes a tiles export of the storage without fsync (building a million
// entry fixture with one fsync per file would take minutes; durability is
// not what is measured here).
void ExportUnsynced(MemoryLogStorage& storage, const std::string& note,
                    const std::filesystem::path& dir) {
  const auto& entries = storage.entries();
  const auto& hashes = storage.hashes();
  const int64_t size = static_cast<int64_t>(entries.size());
  for (int64_t n = 0; n * kTileWidth < size; ++n) {
    int64_t w = std::min(kTileWidth, size - n * kTileWidth);
    std::vector<std::string> bundle(entries.begin() + n * kTileWidth,
                                    entries.begin() + n * kTileWidth + w);
    testing::WriteFile(dir / EntriesPath(n, static_cast<int>(w)),
                       *FormatEntryBundle(bundle));
  }
  for (int level = 0; (size >> (8 * level)) > 0; ++level) {
    int64_t count = size >> (8 * level);
    for (int64_t n = 0; n * kTileWidth < count; ++n) {
      int64_t w = std::min(kTileWidth, count - n * kTileWidth);
      std::string tile;
      for (int64_t i = 0; i < w; ++i) {
        const Hash& h = hashes[StoredHashIndex(8 * level, n * kTileWidth + i)];
        tile.append(reinterpret_cast<const char*>(h.data()), 32);
      }
      testing::WriteFile(dir / TilePath(level, n, static_cast<int>(w)), tile);
    }
  }
  testing::WriteFile(dir / "checkpoint", note);
}

TEST_CASE(
    "bench: appends through SqliteLogStorage in transactions of 256, "
    "then proof generation from SQLite",
    "[.bench]") {
  TempDir dir;
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir.path() / "audit.db").c_str(), &db) == SQLITE_OK);
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA synchronous=FULL");
  REQUIRE(SqliteLogStorage::CreateTables(db).ok());
  {
    SqliteLogStorage storage(db);
    AuditLog log(storage, "docbus.bench/axis/2026");
    const int kRecords = 200'000;
    auto start = Clock::now();
    double cpu = CpuSeconds();
    for (int i = 0; i < kRecords; ++i) {
      if (i % 256 == 0) Exec(db, "BEGIN");
      REQUIRE(log.Append(Accepted(i)).ok());
      if (i % 256 == 255 || i == kRecords - 1) Exec(db, "COMMIT");
    }
    cpu = CpuSeconds() - cpu;
    double s = Seconds(start);
    std::printf(
        "audit append (SQLite WAL, synchronous=FULL, 256/txn): %d "
        "records in %.2f s wall = %.0f appends/s (%.2f s CPU = %.0f "
        "appends/s per core)\n",
        kRecords, s, kRecords / s, cpu, kRecords / cpu);

    std::mt19937_64 rng(7);
    const int kProofs = 20'000;
    start = Clock::now();
    cpu = CpuSeconds();
    for (int i = 0; i < kProofs; ++i) {
      int64_t index = static_cast<int64_t>(rng() % kRecords);
      REQUIRE(log.InclusionProof(index, kRecords).ok());
    }
    double inclusion = Seconds(start) / kProofs * 1e6;
    double inclusion_cpu = (CpuSeconds() - cpu) / kProofs * 1e6;
    start = Clock::now();
    cpu = CpuSeconds();
    for (int i = 0; i < kProofs; ++i) {
      int64_t old_size = 1 + static_cast<int64_t>(rng() % (kRecords - 1));
      REQUIRE(log.ConsistencyProof(old_size, kRecords).ok());
    }
    double consistency = Seconds(start) / kProofs * 1e6;
    double consistency_cpu = (CpuSeconds() - cpu) / kProofs * 1e6;
    std::printf(
        "proof generation from SQLite, tree of %d: inclusion %.1f "
        "us wall (%.1f us CPU), consistency %.1f us wall (%.1f us "
        "CPU)\n",
        kRecords, inclusion, inclusion_cpu, consistency, consistency_cpu);
  }
  sqlite3_close(db);
}

TEST_CASE("bench: verify a 1,000,000-entry exported broker log", "[.bench]") {
  TempDir dir;
  TestLog log("docbus.bench/axis/2026");
  auto start = Clock::now();
  log.AddBrokerTraffic(142'858);  // 7 entries per document
  const int64_t size = *log.log().Size();
  Checkpoint cp{"docbus.bench/axis/2026", static_cast<uint64_t>(size),
                *log.log().Root(size)};
  ExportUnsynced(log.storage(), log.signer().Sign(FormatCheckpoint(cp)),
                 dir.path());
  std::printf("built and exported %lld entries in %.1f s\n",
              static_cast<long long>(size), Seconds(start));

  start = Clock::now();
  double cpu = CpuSeconds();
  VerifyReport report = VerifyExportedLog(dir.path(), log.verifier());
  cpu = CpuSeconds() - cpu;
  double s = Seconds(start);
  REQUIRE(report.ok);
  std::printf(
      "verify: %llu entries, %llu tiles in %.2f s wall = %.0f "
      "entries/s; %.2f s CPU = %.0f entries/s per core\n",
      static_cast<unsigned long long>(report.entries_checked),
      static_cast<unsigned long long>(report.tiles_checked), s,
      report.entries_checked / s, cpu, report.entries_checked / cpu);

  // Proof generation from memory at a million entries.
  std::mt19937_64 rng(11);
  const int kProofs = 100'000;
  start = Clock::now();
  for (int i = 0; i < kProofs; ++i) {
    int64_t index = static_cast<int64_t>(rng() % size);
    REQUIRE(log.log().InclusionProof(index, size).ok());
  }
  double inclusion = Seconds(start) / kProofs * 1e6;
  start = Clock::now();
  for (int i = 0; i < kProofs; ++i) {
    int64_t old_size = 1 + static_cast<int64_t>(rng() % (size - 1));
    REQUIRE(log.log().ConsistencyProof(old_size, size).ok());
  }
  double consistency = Seconds(start) / kProofs * 1e6;
  std::printf(
      "proof generation in memory, tree of %lld: inclusion %.2f us, "
      "consistency %.2f us\n",
      static_cast<long long>(size), inclusion, consistency);
}

}  // namespace
}  // namespace docbus::audit
