// The audit log on SQLite as the broker and agents use it: appends inside
// the caller's transactions, a reopened database gives the same root
// without recomputing the tree, proofs from storage verify, rolled-back
// appends leave no trace, and AuditLog fills and guards each record.
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "bus/audit/audit_log.h"
#include "bus/audit/checkpoint.h"
#include "bus/audit/memory_log_storage.h"
#include "bus/audit/proof.h"
#include "bus/audit/sqlite_log_storage.h"
#include "tests/audit/log_builder.h"
#include "tests/audit/test_util.h"

namespace docbus::audit {
namespace {

using testing::Record;
using testing::TempDir;

const std::string kOrigin = "docbus.test/axis/2026";

struct Db {
  explicit Db(const std::filesystem::path& path) {
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(SqliteLogStorage::CreateTables(db).ok());
  }
  ~Db() { sqlite3_close(db); }
  void Exec(const char* sql) {
    REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  sqlite3* db = nullptr;
};

// Counts the hashes read through it: a fault-free spy on the storage.
class CountingStorage : public LogStorage {
 public:
  explicit CountingStorage(LogStorage& inner) : inner_(inner) {}
  Result<std::vector<Hash>> ReadHashes(
      std::span<const int64_t> indexes) override {
    hashes_read += indexes.size();
    return inner_.ReadHashes(indexes);
  }
  Result<int64_t> Size() override { return inner_.Size(); }
  Result<std::string> ReadEntry(int64_t index) override {
    ++entries_read;
    return inner_.ReadEntry(index);
  }
  Status Append(int64_t index, std::string_view entry,
                std::span<const Hash> hashes) override {
    return inner_.Append(index, entry, hashes);
  }
  size_t hashes_read = 0;
  size_t entries_read = 0;

 private:
  LogStorage& inner_;
};

v1::AuditRecord Rejected(int i) {
  return Record(v1::AUDIT_REJECTED, "m" + std::to_string(i), "000.00.00.G22",
                {});
}

TEST_CASE(
    "thousands of records through SQLite: reopened, the root is the "
    "same without recomputation, and proofs from storage verify") {
  TempDir dir;
  const auto path = dir.path() / "audit.db";
  const int64_t kRecords = 3000;
  Hash root;
  std::vector<std::string> entries;
  {
    Db db(path);
    SqliteLogStorage storage(db.db);
    CountingStorage counting(storage);
    AuditLog log(counting, kOrigin);
    for (int64_t i = 0; i < kRecords; ++i) {
      if (i % 256 == 0) db.Exec("BEGIN");
      auto index = log.Append(Rejected(static_cast<int>(i)));
      REQUIRE(index.ok());
      REQUIRE(*index == i);
      if (i % 256 == 255 || i == kRecords - 1) db.Exec("COMMIT");
    }
    // Appends read no hashes: the right edge is cached.
    CHECK(counting.hashes_read == 0);
    root = *log.Root(kRecords);
    entries = *storage.ReadEntries(0, kRecords);
  }
  // The same entries hashed independently give the same root.
  MemoryLogStorage memory;
  for (int64_t i = 0; i < kRecords; ++i) {
    auto h = StoredHashesForRecord(i, LeafHash(entries[i]), memory);
    REQUIRE(memory.Append(i, entries[i], *h).ok());
  }
  CHECK(*TreeHash(kRecords, memory) == root);

  Db db(path);
  SqliteLogStorage storage(db.db);
  CountingStorage counting(storage);
  AuditLog log(counting, kOrigin);
  CHECK(*log.Size() == kRecords);
  CHECK(*log.Root(kRecords) == root);
  // 3000 = 2048 + 512 + 256 + 128 + 32 + 16 + 8: one stored hash per bit.
  CHECK(counting.hashes_read == 7);

  for (int64_t i : {int64_t{0}, int64_t{1}, int64_t{1234}, kRecords - 1}) {
    auto proof = log.InclusionProof(i, kRecords);
    REQUIRE(proof.ok());
    CHECK(
        VerifyInclusion(i, kRecords, LeafHash(entries[i]), *proof, root).ok());
  }
  for (int64_t m : {int64_t{1}, int64_t{255}, int64_t{256}, int64_t{2999}}) {
    auto proof = log.ConsistencyProof(m, kRecords);
    REQUIRE(proof.ok());
    CHECK(VerifyConsistency(m, kRecords, *log.Root(m), root, *proof).ok());
  }
  // What an agent checks on each newer checkpoint.
  Checkpoint empty{kOrigin, 0, EmptyTreeHash()};
  Checkpoint at_256{kOrigin, 256, *log.Root(256)};
  Checkpoint latest{kOrigin, static_cast<uint64_t>(kRecords), root};
  CHECK(CheckpointExtends(empty, latest, *log.ConsistencyProof(0, kRecords))
            .ok());
  CHECK(CheckpointExtends(at_256, latest, *log.ConsistencyProof(256, kRecords))
            .ok());
  CHECK(CheckpointExtends(latest, at_256, {}).code() == Code::kCorruption);
  Checkpoint forked = at_256;
  forked.root = LeafHash("fork");
  CHECK(CheckpointExtends(forked, latest, *log.ConsistencyProof(256, kRecords))
            .code() == Code::kCorruption);
  CHECK(CheckpointExtends(latest, latest, {}).ok());

  // Appending after reopening continues the same tree.
  REQUIRE(*log.Append(Rejected(-1)) == kRecords);
  auto h = StoredHashesForRecord(
      kRecords, LeafHash(*storage.ReadEntry(kRecords)), memory);
  REQUIRE(memory.Append(kRecords, *storage.ReadEntry(kRecords), *h).ok());
  CHECK(*log.Root(kRecords + 1) == *TreeHash(kRecords + 1, memory));
}

TEST_CASE(
    "an append in a rolled-back transaction leaves no trace and the "
    "next append takes its index") {
  TempDir dir;
  Db db(dir.path() / "audit.db");
  SqliteLogStorage storage(db.db);
  AuditLog log(storage, kOrigin);
  for (int i = 0; i < 5; ++i) REQUIRE(log.Append(Rejected(i)).ok());
  Hash before = *log.Root(5);

  db.Exec("BEGIN");
  REQUIRE(*log.Append(Rejected(100)) == 5);
  REQUIRE(*log.Append(Rejected(101)) == 6);
  db.Exec("ROLLBACK");

  CHECK(*log.Size() == 5);
  CHECK(*log.Root(5) == before);
  REQUIRE(*log.Append(Rejected(5)) == 5);
  CHECK(*storage.Size() == 6);
  // The stored tree is whole: the root from storage equals the cached one.
  CHECK(*TreeHash(6, storage) == *log.Root(6));
  // Storage refuses to overwrite an index.
  CHECK(storage.Append(3, "x", std::vector<Hash>{LeafHash("x")}).code() ==
        Code::kAlreadyExists);
  CHECK(*storage.Size() == 6);
}

TEST_CASE(
    "AuditLog fills version, origin, event id and a time that never "
    "goes back, and refuses records it cannot store") {
  MemoryLogStorage storage;
  FakeClock clock;
  AuditLog log(storage, kOrigin, &clock);
  v1::AuditRecord first = Rejected(1);
  first.set_time_unix_ms(clock.NowUnixMillis());
  REQUIRE(log.Append(first).ok());
  v1::AuditRecord earlier = Rejected(2);
  earlier.set_time_unix_ms(clock.NowUnixMillis() - 60'000);
  REQUIRE(log.Append(earlier).ok());
  REQUIRE(log.Append(Rejected(3)).ok());  // no time: the clock's

  v1::AuditRecord r0, r1, r2;
  REQUIRE(r0.ParseFromString(storage.entries()[0]));
  REQUIRE(r1.ParseFromString(storage.entries()[1]));
  REQUIRE(r2.ParseFromString(storage.entries()[2]));
  CHECK(r0.format_version() == 1);
  CHECK(r0.log_origin() == kOrigin);
  CHECK(r0.event_id().size() == 16);
  CHECK(r0.event_id() != r1.event_id());
  CHECK(r1.time_unix_ms() == r0.time_unix_ms());
  CHECK(r2.time_unix_ms() == clock.NowUnixMillis());

  v1::AuditRecord foreign = Rejected(4);
  foreign.set_log_origin("elsewhere");
  CHECK(log.Append(foreign).status().code() == Code::kInvalidArgument);
  v1::AuditRecord huge = Rejected(5);
  huge.set_document_id(std::string(70000, 'd'));
  CHECK(log.Append(huge).status().code() == Code::kTooLarge);
  CHECK(*log.Size() == 3);

  // A new AuditLog over the same storage keeps the clamp.
  AuditLog reopened(storage, kOrigin);
  v1::AuditRecord old = Rejected(6);
  old.set_time_unix_ms(1);
  REQUIRE(reopened.Append(old).ok());
  v1::AuditRecord r3;
  REQUIRE(r3.ParseFromString(storage.entries()[3]));
  CHECK(r3.time_unix_ms() == r2.time_unix_ms());
}

TEST_CASE(
    "signed checkpoints are kept, and a second, different one of the same "
    "size is refused") {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close);
  REQUIRE(SqliteLogStorage::CreateTables(raw).ok());
  REQUIRE(SqliteLogStorage::CreateTables(raw).ok());  // idempotent
  SqliteLogStorage storage(raw);
  CHECK_FALSE(storage.LatestCheckpoint()->has_value());
  REQUIRE(storage.SaveCheckpoint(5, "note five\n").ok());
  REQUIRE(storage.SaveCheckpoint(9, "note nine\n").ok());
  REQUIRE(storage.SaveCheckpoint(5, "note five\n").ok());
  CHECK(storage.SaveCheckpoint(9, "another nine\n").code() ==
        Code::kAlreadyExists);
  CHECK(**storage.LatestCheckpoint() == "note nine\n");
  CHECK(storage.ReadEntry(0).status().code() == Code::kNotFound);
  CHECK(storage.ReadHashes(std::vector<int64_t>{0}).status().code() ==
        Code::kNotFound);
}

}  // namespace
}  // namespace docbus::audit
