// A prepared SQLite statement, compiled once and reused: bind, step, read
// columns, reset. It is the one place the store touches the sqlite3_stmt API,
// so every SQLite error becomes a Status carrying sqlite3_errmsg. Not
// thread-safe: it belongs to the connection's owning thread.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus::store {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;

  // Compiles `sql` on `db`; kInternal with SQLite's message on failure.
  static Result<SqliteStatement> Prepare(sqlite3* db, std::string_view sql);

  // Parameters are 1-based, as in SQLite. Text and blobs are not copied:
  // the caller keeps them alive until the statement is Reset() (Run() and a
  // Step() failure reset it).
  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& BindText(int index, std::string_view value);
  SqliteStatement& BindBlob(int index, std::string_view value);
  SqliteStatement& BindNull(int index);

  // Advances one row: true when a row is available, false when done; a
  // failure is returned as a Status (kIoError for disk problems, kCorruption
  // for a damaged file, kAlreadyExists for a constraint violation).
  Result<bool> Step();
  // Step() that expects no row (INSERT / UPDATE / DELETE), then Reset().
  Status Run();

  int64_t Int(int column) const;
  bool IsNull(int column) const;
  // Copies of text / blob columns (empty for NULL).
  std::string Text(int column) const;
  std::string Blob(int column) const;

  // Makes the statement ready for new bindings; cheap.
  void Reset();

 private:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Maps an SQLite result code to a Status with the connection's message.
Status SqliteError(sqlite3* db, int rc, std::string_view what);

// Runs one or more statements with no results (schema, pragmas, BEGIN).
Status SqliteExec(sqlite3* db, std::string_view sql);

}  // namespace docbus::store
