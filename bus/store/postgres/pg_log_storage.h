// PgLogStorage: audit::LogStorage on the broker store's PostgreSQL
// connection, with tables (schema_v1.sql, FORMAT.md)
//   audit_entries(idx bigint PRIMARY KEY, entry bytea)
//   audit_hashes(id bigint PRIMARY KEY, hash bytea)   -- sumdb layout
//   audit_checkpoints(size bigint PRIMARY KEY, note text)
// It runs inside whatever transaction the store has open and never issues
// BEGIN/COMMIT itself, so audit entries commit atomically with the state
// they describe. Append writes the entry and its hashes in one statement (a
// taken index stores nothing and is kAlreadyExists); ReadHashes fetches a
// batch in one round trip. Its statements are prepared once per connection
// (PrepareStatements, run again after a reconnect).
//
// Thread-safety: none; use it from the thread that owns the connection. It
// must not outlive the connection.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/log_storage.h"
#include "bus/store/postgres/pg_connection.h"

namespace docbus::store::pg {

class PgLogStorage final : public audit::LogStorage {
 public:
  explicit PgLogStorage(PgConnection& conn) : conn_(conn) {}
  PgLogStorage(const PgLogStorage&) = delete;
  PgLogStorage& operator=(const PgLogStorage&) = delete;

  // Prepares this storage's statements on `conn` (a connection's setup).
  static Status PrepareStatements(PgConnection& conn);

  Result<std::vector<audit::Hash>> ReadHashes(
      std::span<const int64_t> stored_indexes) override;
  Result<int64_t> Size() override;
  Result<std::string> ReadEntry(int64_t index) override;
  Status Append(int64_t index, std::string_view entry,
                std::span<const audit::Hash> new_hashes) override;
  Result<std::vector<std::string>> ReadEntries(int64_t begin,
                                               int64_t end) override;

  // As audit::SqliteLogStorage: the same note again is ok, a different note
  // for a saved size is kAlreadyExists.
  Status SaveCheckpoint(uint64_t size, std::string_view signed_note);
  // The note of the largest saved size, or nullopt.
  Result<std::optional<std::string>> LatestCheckpoint();

 private:
  PgConnection& conn_;
};

}  // namespace docbus::store::pg
