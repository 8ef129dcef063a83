// SqliteDb: the one wrapper of the SQLite C API every docbus module uses. A
// connection opened durable (WAL, synchronous=FULL, busy timeout), with its
// prepared statements compiled once and cached, bind/step/column helpers,
// transactions and savepoints. Every SQLite failure becomes a Status that
// keeps SQLite's own message (see SqliteError for the code mapping).
//
// Thread-safety: none. A connection, its statements and its savepoints belong
// to one thread at a time (the owner's loop, or a caller-held mutex).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus {

// Maps SQLite result code `rc` (plain or extended) to a Status whose message
// is "<what>: <SQLite's message>" (the connection's message when `db` is
// given, else the code's text): kIoError for disk, lock and open problems,
// kCorruption for a damaged file, kAlreadyExists for a constraint violation,
// kInternal for anything else (bad SQL, misuse).
Status SqliteError(sqlite3* db, int rc, std::string_view what);

// Runs one or more statements without results (schema, pragmas) on any
// connection; a failure is SqliteError's Status.
Status SqliteExec(sqlite3* db, std::string_view sql);

// A prepared statement owned by its SqliteDb. Parameters are 1-based, as in
// SQLite; columns are 0-based. Use it through a SqliteQuery, which resets it.
class SqliteStatement {
 public:
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // BindText / BindBlob copy the value, so it may be a temporary. A
  // zero-length blob binds as an empty blob, not NULL.
  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& BindText(int index, std::string_view value);
  SqliteStatement& BindBlob(int index, std::string_view value);
  SqliteStatement& BindNull(int index);
  // BindBlob without the copy, for large values (payloads, attachments): the
  // caller keeps `value` alive until the statement is reset.
  SqliteStatement& BindBlobNoCopy(int index, std::string_view value);

  // Advances one row: true when a row is available, false when done. On
  // failure the statement is reset and SqliteError's Status returned.
  Result<bool> Step();
  // Step() of a statement that returns no row (INSERT, UPDATE, DELETE,
  // BEGIN...), then Reset() whatever the outcome.
  Status Run();

  int64_t Int(int column) const;
  bool IsNull(int column) const;
  // Copies of text / blob columns; empty for NULL.
  std::string Text(int column) const;
  std::string Blob(int column) const;
  // The blob column without a copy; valid until the next Step() or Reset().
  std::string_view BlobView(int column) const;

  // Ends any pending row (closing its read snapshot) and clears bindings.
  void Reset();

 private:
  friend class SqliteDb;
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  sqlite3_stmt* stmt_;
};

// A borrowed statement that is reset when it goes out of scope, so that no
// read snapshot stays open and no binding (maybe to a dead buffer) outlives
// the use. Move-only.
class SqliteQuery {
 public:
  explicit SqliteQuery(SqliteStatement& statement) : statement_(&statement) {}
  ~SqliteQuery() {
    if (statement_ != nullptr) statement_->Reset();
  }
  SqliteQuery(SqliteQuery&& other) noexcept : statement_(other.statement_) {
    other.statement_ = nullptr;
  }
  SqliteQuery& operator=(SqliteQuery&&) = delete;

  SqliteStatement* operator->() const { return statement_; }
  SqliteStatement& operator*() const { return *statement_; }

 private:
  SqliteStatement* statement_;
};

class SqliteDb;

// A SAVEPOINT that ends with its scope: Release() keeps its changes (and
// commits, when it is the outermost transaction); destroyed without a
// successful Release() it rolls its changes back and ends. Move-only; must not
// outlive its SqliteDb.
class SqliteSavepoint {
 public:
  ~SqliteSavepoint();
  SqliteSavepoint(SqliteSavepoint&& other) noexcept;
  SqliteSavepoint& operator=(SqliteSavepoint&&) = delete;

  // Errors: SqliteError's Status; the savepoint then stays open and the
  // destructor rolls it back.
  Status Release();

 private:
  friend class SqliteDb;
  SqliteSavepoint(SqliteDb* db, std::string_view name);
  SqliteDb* db_;
  std::string name_;
};

struct SqliteOpenOptions {
  // A reader of an existing file (query_only; opened read-write because a
  // SQLITE_OPEN_READONLY connection cannot always map the WAL's shared
  // memory). Otherwise a writer, the file created when missing, in WAL mode
  // with synchronous=FULL: a COMMIT is on disk when it returns.
  bool read_only = false;
  // The only connection to the file while it is open (a writer only): its
  // locks are taken once and kept, so no transaction pays for file or
  // shared-memory locks, and another process cannot open the file meanwhile.
  bool exclusive = false;
  int busy_timeout_ms = 5000;
  // Page cache size.
  int cache_kib = 16384;
};

class SqliteDb {
 public:
  // Opens `file` as `options` say. Errors: SqliteError's Status naming the
  // file.
  static Result<std::unique_ptr<SqliteDb>> Open(
      const std::filesystem::path& file, const SqliteOpenOptions& options = {});
  // A view of a connection opened and closed by someone else (it must outlive
  // the view): a statement cache and helpers of its own, no pragmas changed.
  static std::unique_ptr<SqliteDb> Borrow(sqlite3* db);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without results (schema, pragmas); parsed on
  // every call, so not for the hot path.
  Status Exec(std::string_view sql);
  // The statement for `sql`, compiled on first use and cached for the life of
  // the connection (the pointer stays valid). Errors: SqliteError's Status.
  Result<SqliteStatement*> Compile(std::string_view sql);
  // Compile() wrapped in a SqliteQuery.
  Result<SqliteQuery> Prepare(std::string_view sql);

  // BEGIN IMMEDIATE: takes the write lock now rather than at the first write.
  Status Begin();
  // On failure nothing of the transaction survives (it is rolled back).
  Status Commit();
  // Ok when no transaction is open (SQLite may have rolled back already).
  Status Rollback();
  // SAVEPOINT `name`; nests inside an open transaction, or is one.
  Result<SqliteSavepoint> Savepoint(std::string_view name);

  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  // Rows changed by the last INSERT / UPDATE / DELETE.
  int64_t changes() const { return sqlite3_changes64(db_); }
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  sqlite3* handle() const { return db_; }

 private:
  SqliteDb(sqlite3* db, bool owned) : db_(db), owned_(owned) {}
  // Compile(sql)->Run().
  Status Run(std::string_view sql);

  friend class SqliteSavepoint;
  sqlite3* db_;
  bool owned_;
  std::map<std::string, std::unique_ptr<SqliteStatement>, std::less<>>
      statements_;
};

}  // namespace docbus
