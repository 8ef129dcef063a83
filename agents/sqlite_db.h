// SqliteDb: one SQLite connection of the agent's store with its prepared
// statements cached, and the small Statement wrapper the store uses. This is
// the one file of agents/ that talks to the SQLite C API; every error becomes
// a Status carrying SQLite's own message.
//
// Thread-safety: none. A connection (and its statements) belongs to one
// thread at a time; the agent's loop owns the writer, and readers are guarded
// by the caller's mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus::agent {

// A cached prepared statement. Bind* take 1-based parameter indexes; text and
// blobs are copied by SQLite (SQLITE_TRANSIENT), so arguments may be
// temporaries.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, int64_t value);
  Statement& BindText(int index, std::string_view value);
  Statement& BindBlob(int index, std::string_view value);
  Statement& BindNull(int index);

  // True when a row is available, false when done; an error Status
  // otherwise (the statement is reset).
  Result<bool> Step();
  // Runs a statement that returns no rows.
  Status Run();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;
  bool IsNull(int column) const;

  void Reset();

 private:
  sqlite3_stmt* stmt_;
};

// A borrowed cached statement, reset when it goes out of scope so that no
// read snapshot stays open between uses.
class Query {
 public:
  explicit Query(Statement* stmt) : stmt_(stmt) {}
  ~Query() {
    if (stmt_ != nullptr) stmt_->Reset();
  }
  Query(Query&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Query& operator=(Query&&) = delete;
  Statement* operator->() const { return stmt_; }

 private:
  Statement* stmt_;
};

class SqliteDb {
 public:
  // Opens the database file: a writer (created when missing) with WAL and
  // synchronous=FULL, or a reader (`read_only`, query_only) of an existing
  // one. Errors: kIoError with SQLite's message.
  static Result<std::unique_ptr<SqliteDb>> Open(
      const std::filesystem::path& file, bool read_only);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without results (schema, pragmas).
  Status Exec(std::string_view sql);
  // The cached statement for `sql`, reset and with bindings cleared.
  Result<Query> Prepare(const std::string& sql);

  Status Begin();
  Status Commit();
  // Best effort; a failed rollback leaves SQLite to roll back on close.
  void Rollback();
  bool in_transaction() const;
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t changes() const;

  sqlite3* handle() { return db_; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  Status Error(std::string_view what) const;

  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> statements_;
};

}  // namespace docbus::agent
