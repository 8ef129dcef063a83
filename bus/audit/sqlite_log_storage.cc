#include "bus/audit/sqlite_log_storage.h"

#include <cstring>

namespace docbus::audit {
namespace {

constexpr const char* kSql[] = {
    "SELECT hash FROM audit_hashes WHERE id = ?1",
    "SELECT coalesce(max(idx) + 1, 0) FROM audit_entries",
    "SELECT entry FROM audit_entries WHERE idx = ?1",
    "SELECT idx, entry FROM audit_entries WHERE idx >= ?1 AND idx < ?2 "
    "ORDER BY idx",
    "INSERT INTO audit_entries(idx, entry) VALUES (?1, ?2)",
    "INSERT INTO audit_hashes(id, hash) VALUES (?1, ?2)",
    "INSERT INTO audit_checkpoints(size, note) VALUES (?1, ?2)",
    "SELECT note FROM audit_checkpoints WHERE size = ?1",
    "SELECT note FROM audit_checkpoints ORDER BY size DESC LIMIT 1",
    "SAVEPOINT audit_append",
    "RELEASE audit_append",
    "ROLLBACK TO audit_append",
    "SAVEPOINT audit_read",
    "RELEASE audit_read",
};

// Resets a cached statement when the scope ends, so it never holds a read
// transaction open or keeps stale bindings.
class StmtScope {
 public:
  explicit StmtScope(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StmtScope() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* stmt_;
};

// Releases a read savepoint when the scope ends.
class ReadScope {
 public:
  explicit ReadScope(sqlite3_stmt* release) : release_(release) {}
  ~ReadScope() {
    sqlite3_step(release_);
    sqlite3_reset(release_);
  }
  ReadScope(const ReadScope&) = delete;
  ReadScope& operator=(const ReadScope&) = delete;

 private:
  sqlite3_stmt* release_;
};

}  // namespace

SqliteLogStorage::SqliteLogStorage(sqlite3* db) : db_(db) {}

SqliteLogStorage::~SqliteLogStorage() {
  for (sqlite3_stmt* stmt : stmts_) sqlite3_finalize(stmt);
}

Status SqliteLogStorage::CreateTables(sqlite3* db) {
  char* error = nullptr;
  int rc = sqlite3_exec(db,
                        "CREATE TABLE IF NOT EXISTS audit_entries("
                        "idx INTEGER PRIMARY KEY, entry BLOB NOT NULL);"
                        "CREATE TABLE IF NOT EXISTS audit_hashes("
                        "id INTEGER PRIMARY KEY, hash BLOB NOT NULL);"
                        "CREATE TABLE IF NOT EXISTS audit_checkpoints("
                        "size INTEGER PRIMARY KEY, note TEXT NOT NULL);",
                        nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    return Status(Code::kIoError, "creating audit tables: " + message);
  }
  return Status::Ok();
}

Status SqliteLogStorage::Error(std::string_view what) const {
  return Status(Code::kIoError, std::string(what) + ": " + sqlite3_errmsg(db_));
}

Result<sqlite3_stmt*> SqliteLogStorage::Prepare(Stmt which) {
  if (stmts_[which] == nullptr) {
    if (sqlite3_prepare_v3(db_, kSql[which], -1, SQLITE_PREPARE_PERSISTENT,
                           &stmts_[which], nullptr) != SQLITE_OK) {
      stmts_[which] = nullptr;
      return Error("preparing audit statement");
    }
  }
  return stmts_[which];
}

Result<std::vector<Hash>> SqliteLogStorage::ReadHashes(
    std::span<const int64_t> stored_indexes) {
  DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(kReadHash));
  // Outside the caller's transaction every lookup would open and close a
  // read transaction of its own (file locks, WAL snapshot), which costs
  // more than the lookup: read the batch under one savepoint.
  std::optional<ReadScope> read_scope;
  if (stored_indexes.size() > 1 && sqlite3_get_autocommit(db_) != 0) {
    DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * begin, Prepare(kSavepointRead));
    DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * end, Prepare(kReleaseRead));
    StmtScope scope(begin);
    if (sqlite3_step(begin) != SQLITE_DONE) return Error("starting audit read");
    read_scope.emplace(end);
  }
  std::vector<Hash> hashes;
  hashes.reserve(stored_indexes.size());
  for (int64_t id : stored_indexes) {
    StmtScope scope(stmt);
    sqlite3_bind_int64(stmt, 1, id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
      return Status(Code::kNotFound,
                    "audit hash " + std::to_string(id) + " is not stored");
    }
    if (rc != SQLITE_ROW) return Error("reading audit hash");
    const void* blob = sqlite3_column_blob(stmt, 0);
    if (sqlite3_column_bytes(stmt, 0) != 32 || blob == nullptr) {
      return Status(Code::kCorruption,
                    "audit hash " + std::to_string(id) + " is not 32 bytes");
    }
    Hash h;
    std::memcpy(h.data(), blob, 32);
    hashes.push_back(h);
  }
  return hashes;
}

Result<int64_t> SqliteLogStorage::Size() {
  DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(kSize));
  StmtScope scope(stmt);
  if (sqlite3_step(stmt) != SQLITE_ROW) return Error("reading audit size");
  return static_cast<int64_t>(sqlite3_column_int64(stmt, 0));
}

Result<std::string> SqliteLogStorage::ReadEntry(int64_t index) {
  DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(kReadEntry));
  StmtScope scope(stmt);
  sqlite3_bind_int64(stmt, 1, index);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) {
    return Status(Code::kNotFound,
                  "audit entry " + std::to_string(index) + " is not stored");
  }
  if (rc != SQLITE_ROW) return Error("reading audit entry");
  const char* blob = static_cast<const char*>(sqlite3_column_blob(stmt, 0));
  return std::string(blob == nullptr ? "" : blob,
                     static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
}

Result<std::vector<std::string>> SqliteLogStorage::ReadEntries(int64_t begin,
                                                               int64_t end) {
  if (begin < 0 || end < begin) {
    return Status(Code::kInvalidArgument, "bad entry range");
  }
  DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(kReadEntries));
  StmtScope scope(stmt);
  sqlite3_bind_int64(stmt, 1, begin);
  sqlite3_bind_int64(stmt, 2, end);
  std::vector<std::string> entries;
  entries.reserve(static_cast<size_t>(end - begin));
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (sqlite3_column_int64(stmt, 0) !=
        begin + static_cast<int64_t>(entries.size())) {
      return Status(Code::kCorruption,
                    "audit entries have a gap at " +
                        std::to_string(begin + entries.size()));
    }
    const char* blob = static_cast<const char*>(sqlite3_column_blob(stmt, 1));
    entries.emplace_back(blob == nullptr ? "" : blob,
                         static_cast<size_t>(sqlite3_column_bytes(stmt, 1)));
  }
  if (rc != SQLITE_DONE) return Error("reading audit entries");
  if (static_cast<int64_t>(entries.size()) != end - begin) {
    return Status(Code::kNotFound, "audit entry " +
                                       std::to_string(begin + entries.size()) +
                                       " is not stored");
  }
  return entries;
}

Status SqliteLogStorage::Append(int64_t index, std::string_view entry,
                                std::span<const Hash> new_hashes) {
  DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * insert_entry, Prepare(kInsertEntry));
  DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * insert_hash, Prepare(kInsertHash));
  // A savepoint makes the entry and its hashes land together even inside
  // the caller's transaction; it is not a transaction of our own.
  DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * savepoint, Prepare(kSavepoint));
  DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * release, Prepare(kRelease));
  DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * rollback, Prepare(kRollbackTo));
  {
    StmtScope scope(savepoint);
    if (sqlite3_step(savepoint) != SQLITE_DONE) {
      return Error("starting audit append");
    }
  }
  auto fail = [&](Status status) {
    {
      StmtScope scope(rollback);
      sqlite3_step(rollback);
    }
    StmtScope scope(release);
    sqlite3_step(release);
    return status;
  };
  {
    StmtScope scope(insert_entry);
    sqlite3_bind_int64(insert_entry, 1, index);
    sqlite3_bind_blob(insert_entry, 2, entry.data(),
                      static_cast<int>(entry.size()), SQLITE_STATIC);
    int rc = sqlite3_step(insert_entry);
    if (rc == SQLITE_CONSTRAINT) {
      return fail(Status(Code::kAlreadyExists,
                         "audit entry " + std::to_string(index) + " exists"));
    }
    if (rc != SQLITE_DONE) return fail(Error("storing audit entry"));
  }
  int64_t id = StoredHashCount(index);
  for (const Hash& h : new_hashes) {
    StmtScope scope(insert_hash);
    sqlite3_bind_int64(insert_hash, 1, id++);
    sqlite3_bind_blob(insert_hash, 2, h.data(), 32, SQLITE_STATIC);
    int rc = sqlite3_step(insert_hash);
    if (rc == SQLITE_CONSTRAINT) {
      return fail(Status(Code::kAlreadyExists,
                         "audit hash " + std::to_string(id - 1) + " exists"));
    }
    if (rc != SQLITE_DONE) return fail(Error("storing audit hash"));
  }
  StmtScope scope(release);
  if (sqlite3_step(release) != SQLITE_DONE) {
    Status status = Error("finishing audit append");
    sqlite3_reset(release);
    return fail(status);
  }
  return Status::Ok();
}

Status SqliteLogStorage::SaveCheckpoint(uint64_t size,
                                        std::string_view signed_note) {
  DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * read, Prepare(kReadCheckpoint));
  {
    StmtScope scope(read);
    sqlite3_bind_int64(read, 1, static_cast<int64_t>(size));
    int rc = sqlite3_step(read);
    if (rc == SQLITE_ROW) {
      const char* text =
          reinterpret_cast<const char*>(sqlite3_column_text(read, 0));
      std::string_view saved(
          text == nullptr ? "" : text,
          static_cast<size_t>(sqlite3_column_bytes(read, 0)));
      if (saved == signed_note) return Status::Ok();
      return Status(Code::kAlreadyExists, "a different checkpoint of size " +
                                              std::to_string(size) +
                                              " is already saved");
    }
    if (rc != SQLITE_DONE) return Error("reading audit checkpoint");
  }
  DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * insert, Prepare(kInsertCheckpoint));
  StmtScope scope(insert);
  sqlite3_bind_int64(insert, 1, static_cast<int64_t>(size));
  sqlite3_bind_text(insert, 2, signed_note.data(),
                    static_cast<int>(signed_note.size()), SQLITE_STATIC);
  if (sqlite3_step(insert) != SQLITE_DONE) return Error("saving checkpoint");
  return Status::Ok();
}

Result<std::optional<std::string>> SqliteLogStorage::LatestCheckpoint() {
  DOCBUS_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(kLatestCheckpoint));
  StmtScope scope(stmt);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return Error("reading latest checkpoint");
  const char* text =
      reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  return std::optional<std::string>(
      std::string(text == nullptr ? "" : text,
                  static_cast<size_t>(sqlite3_column_bytes(stmt, 0))));
}

}  // namespace docbus::audit
