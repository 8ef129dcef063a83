// SqliteLogStorage: LogStorage on a SQLite connection owned by the caller,
// with tables
//   audit_entries(idx INTEGER PRIMARY KEY, entry BLOB)
//   audit_hashes(id INTEGER PRIMARY KEY, hash BLOB)      -- sumdb layout
//   audit_checkpoints(size INTEGER PRIMARY KEY, note TEXT) -- signed notes
// It runs inside whatever transaction the caller has open and never issues
// BEGIN/COMMIT itself, so audit entries commit atomically with the state
// they describe. (Append wraps its rows in a SAVEPOINT so that they land
// together; a batch of reads outside any transaction shares one read
// SAVEPOINT. Inside the caller's transaction both simply nest.) Prepared
// statements are cached; the object is not thread-safe (use it from the thread
// that owns the connection) and must not outlive the connection.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/log_storage.h"
#include "bus/core/sqlite_db.h"

namespace docbus::audit {

class SqliteLogStorage : public LogStorage {
 public:
  // `db` must already hold the tables (CreateTables).
  explicit SqliteLogStorage(sqlite3* db);
  SqliteLogStorage(const SqliteLogStorage&) = delete;
  SqliteLogStorage& operator=(const SqliteLogStorage&) = delete;

  // CREATE TABLE IF NOT EXISTS for the three tables; SqliteError's Status
  // (SQLite's message kept) on failure.
  static Status CreateTables(sqlite3* db);

  Result<std::vector<Hash>> ReadHashes(
      std::span<const int64_t> stored_indexes) override;
  Result<int64_t> Size() override;
  Result<std::string> ReadEntry(int64_t index) override;
  Status Append(int64_t index, std::string_view entry,
                std::span<const Hash> new_hashes) override;
  Result<std::vector<std::string>> ReadEntries(int64_t begin,
                                               int64_t end) override;

  // Records a signed checkpoint note of tree size `size`. Saving the same
  // note again is ok; a different note for a size already saved is
  // kAlreadyExists (a log never signs two trees of one size).
  Status SaveCheckpoint(uint64_t size, std::string_view signed_note);
  // The note of the largest saved size, or nullopt when none was saved.
  Result<std::optional<std::string>> LatestCheckpoint();

 private:
  // Borrowed: the caller's connection, with a statement cache of our own.
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace docbus::audit
