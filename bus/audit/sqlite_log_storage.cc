#include "bus/audit/sqlite_log_storage.h"

#include <cstring>
#include <utility>

namespace docbus::audit {
namespace {

constexpr std::string_view kReadHash =
    "SELECT hash FROM audit_hashes WHERE id = ?1";
constexpr std::string_view kSize =
    "SELECT coalesce(max(idx) + 1, 0) FROM audit_entries";
constexpr std::string_view kReadEntry =
    "SELECT entry FROM audit_entries WHERE idx = ?1";
constexpr std::string_view kReadEntries =
    "SELECT idx, entry FROM audit_entries WHERE idx >= ?1 AND idx < ?2 "
    "ORDER BY idx";
constexpr std::string_view kInsertEntry =
    "INSERT INTO audit_entries(idx, entry) VALUES (?1, ?2)";
constexpr std::string_view kInsertHash =
    "INSERT INTO audit_hashes(id, hash) VALUES (?1, ?2)";
constexpr std::string_view kInsertCheckpoint =
    "INSERT INTO audit_checkpoints(size, note) VALUES (?1, ?2)";
constexpr std::string_view kReadCheckpoint =
    "SELECT note FROM audit_checkpoints WHERE size = ?1";
constexpr std::string_view kLatestCheckpoint =
    "SELECT note FROM audit_checkpoints ORDER BY size DESC LIMIT 1";

// Runs an INSERT; a constraint violation (the row exists) becomes
// kAlreadyExists naming `what`.
Status Insert(SqliteStatement& insert, const std::string& what) {
  Status status = insert.Run();
  if (status.code() == Code::kAlreadyExists) {
    return Status(Code::kAlreadyExists, what + " exists");
  }
  return status;
}

}  // namespace

SqliteLogStorage::SqliteLogStorage(sqlite3* db) : db_(SqliteDb::Borrow(db)) {}

Status SqliteLogStorage::CreateTables(sqlite3* db) {
  return SqliteExec(db,
                    "CREATE TABLE IF NOT EXISTS audit_entries("
                    "idx INTEGER PRIMARY KEY, entry BLOB NOT NULL);"
                    "CREATE TABLE IF NOT EXISTS audit_hashes("
                    "id INTEGER PRIMARY KEY, hash BLOB NOT NULL);"
                    "CREATE TABLE IF NOT EXISTS audit_checkpoints("
                    "size INTEGER PRIMARY KEY, note TEXT NOT NULL);");
}

Result<std::vector<Hash>> SqliteLogStorage::ReadHashes(
    std::span<const int64_t> stored_indexes) {
  // Outside the caller's transaction every lookup would open and close a
  // read transaction of its own (file locks, WAL snapshot), which costs
  // more than the lookup: read the batch under one savepoint.
  std::optional<SqliteSavepoint> read_scope;
  if (stored_indexes.size() > 1 && !db_->in_transaction()) {
    DOCBUS_ASSIGN_OR_RETURN(SqliteSavepoint read, db_->Savepoint("audit_read"));
    read_scope.emplace(std::move(read));
  }
  DOCBUS_ASSIGN_OR_RETURN(SqliteStatement * read, db_->Compile(kReadHash));
  std::vector<Hash> hashes;
  hashes.reserve(stored_indexes.size());
  for (int64_t id : stored_indexes) {
    SqliteQuery q(*read);
    q->Bind(1, id);
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) {
      return Status(Code::kNotFound,
                    "audit hash " + std::to_string(id) + " is not stored");
    }
    const std::string_view blob = q->BlobView(0);
    if (blob.size() != 32) {
      return Status(Code::kCorruption,
                    "audit hash " + std::to_string(id) + " is not 32 bytes");
    }
    Hash& h = hashes.emplace_back();
    std::memcpy(h.data(), blob.data(), 32);
  }
  if (read_scope) DOCBUS_RETURN_IF_ERROR(read_scope->Release());
  return hashes;
}

Result<int64_t> SqliteLogStorage::Size() {
  DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q, db_->Prepare(kSize));
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return Status(Code::kInternal, "audit size query gave no row");
  return q->Int(0);
}

Result<std::string> SqliteLogStorage::ReadEntry(int64_t index) {
  DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q, db_->Prepare(kReadEntry));
  q->Bind(1, index);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) {
    return Status(Code::kNotFound,
                  "audit entry " + std::to_string(index) + " is not stored");
  }
  return q->Blob(0);
}

Result<std::vector<std::string>> SqliteLogStorage::ReadEntries(int64_t begin,
                                                               int64_t end) {
  if (begin < 0 || end < begin) {
    return Status(Code::kInvalidArgument, "bad entry range");
  }
  DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q, db_->Prepare(kReadEntries));
  q->Bind(1, begin).Bind(2, end);
  std::vector<std::string> entries;
  entries.reserve(static_cast<size_t>(end - begin));
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    const int64_t expected = begin + static_cast<int64_t>(entries.size());
    if (q->Int(0) != expected) {
      return Status(Code::kCorruption,
                    "audit entries have a gap at " + std::to_string(expected));
    }
    entries.push_back(q->Blob(1));
  }
  if (static_cast<int64_t>(entries.size()) != end - begin) {
    return Status(Code::kNotFound, "audit entry " +
                                       std::to_string(begin + entries.size()) +
                                       " is not stored");
  }
  return entries;
}

Status SqliteLogStorage::Append(int64_t index, std::string_view entry,
                                std::span<const Hash> new_hashes) {
  DOCBUS_ASSIGN_OR_RETURN(SqliteStatement * insert_entry,
                          db_->Compile(kInsertEntry));
  DOCBUS_ASSIGN_OR_RETURN(SqliteStatement * insert_hash,
                          db_->Compile(kInsertHash));
  // A savepoint makes the entry and its hashes land together even inside
  // the caller's transaction; it is not a transaction of our own. Any
  // return before Release() undoes what was written.
  DOCBUS_ASSIGN_OR_RETURN(SqliteSavepoint append,
                          db_->Savepoint("audit_append"));
  insert_entry->Bind(1, index).BindBlobNoCopy(2, entry);
  DOCBUS_RETURN_IF_ERROR(
      Insert(*insert_entry, "audit entry " + std::to_string(index)));
  int64_t id = StoredHashCount(index);
  for (const Hash& h : new_hashes) {
    insert_hash->Bind(1, id).BindBlobNoCopy(
        2, std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
    DOCBUS_RETURN_IF_ERROR(
        Insert(*insert_hash, "audit hash " + std::to_string(id)));
    ++id;
  }
  return append.Release();
}

Status SqliteLogStorage::SaveCheckpoint(uint64_t size,
                                        std::string_view signed_note) {
  {
    DOCBUS_ASSIGN_OR_RETURN(SqliteQuery read, db_->Prepare(kReadCheckpoint));
    read->Bind(1, static_cast<int64_t>(size));
    DOCBUS_ASSIGN_OR_RETURN(bool row, read->Step());
    if (row) {
      if (read->BlobView(0) == signed_note) return Status::Ok();
      return Status(Code::kAlreadyExists, "a different checkpoint of size " +
                                              std::to_string(size) +
                                              " is already saved");
    }
  }
  DOCBUS_ASSIGN_OR_RETURN(SqliteQuery insert, db_->Prepare(kInsertCheckpoint));
  insert->Bind(1, static_cast<int64_t>(size)).BindText(2, signed_note);
  return insert->Run();
}

Result<std::optional<std::string>> SqliteLogStorage::LatestCheckpoint() {
  DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q, db_->Prepare(kLatestCheckpoint));
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(q->Text(0));
}

}  // namespace docbus::audit
