#include "bus/core/sqlite_db.h"

#include <utility>

namespace docbus {
namespace {

// The start of a statement's SQL, enough to recognise it in an error.
std::string SqlExcerpt(std::string_view sql) {
  return "'" + std::string(sql.substr(0, 60)) + "'";
}

std::string ColumnBytes(const void* p, int n) {
  if (p == nullptr) return {};
  return std::string(static_cast<const char*>(p), static_cast<size_t>(n));
}

}  // namespace

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(Code::kIoError, std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status(Code::kCorruption, std::move(message));
    case SQLITE_CONSTRAINT:
      return Status(Code::kAlreadyExists, std::move(message));
    default:
      return Status(Code::kInternal, std::move(message));
  }
}

Status SqliteExec(sqlite3* db, std::string_view sql) {
  char* error = nullptr;
  const int rc =
      sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  // sqlite3_exec's own message; the connection's may already be overwritten.
  Status status = SqliteError(nullptr, rc, SqlExcerpt(sql));
  if (error != nullptr) {
    status = Status(status.code(), SqlExcerpt(sql) + ": " + error);
    sqlite3_free(error);
  }
  return status;
}

// ---- SqliteStatement ----

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::BindText(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data(), value.size(),
                      SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

SqliteStatement& SqliteStatement::BindBlob(int index, std::string_view value) {
  // A null pointer would bind NULL: give an empty blob a valid one.
  sqlite3_bind_blob64(stmt_, index, value.empty() ? "" : value.data(),
                      value.size(), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::BindBlobNoCopy(int index,
                                                 std::string_view value) {
  sqlite3_bind_blob64(stmt_, index, value.empty() ? "" : value.data(),
                      value.size(), SQLITE_STATIC);
  return *this;
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status status = SqliteError(sqlite3_db_handle(stmt_), rc,
                              "step " + SqlExcerpt(sqlite3_sql(stmt_)));
  Reset();
  return status;
}

Status SqliteStatement::Run() {
  Result<bool> row = Step();
  Reset();
  return row.status();
}

int64_t SqliteStatement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string SqliteStatement::Text(int column) const {
  // _text before _bytes, as SQLite asks: the conversion may change the size.
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  return ColumnBytes(p, sqlite3_column_bytes(stmt_, column));
}

std::string SqliteStatement::Blob(int column) const {
  return std::string(BlobView(column));
}

std::string_view SqliteStatement::BlobView(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  if (p == nullptr) return {};
  return std::string_view(
      static_cast<const char*>(p),
      static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

// ---- SqliteSavepoint ----

SqliteSavepoint::SqliteSavepoint(SqliteDb* db, std::string_view name)
    : db_(db), name_(name) {}

SqliteSavepoint::SqliteSavepoint(SqliteSavepoint&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), name_(std::move(other.name_)) {}

SqliteSavepoint::~SqliteSavepoint() {
  if (db_ == nullptr) return;
  // Best effort: if even this fails, the enclosing transaction's rollback or
  // the connection's close undoes the changes.
  (void)db_->Run("ROLLBACK TO " + name_);
  (void)db_->Run("RELEASE " + name_);
}

Status SqliteSavepoint::Release() {
  if (db_ == nullptr) {
    return Status(Code::kFailedPrecondition, "savepoint already released");
  }
  DOCBUS_RETURN_IF_ERROR(db_->Run("RELEASE " + name_));
  db_ = nullptr;
  return Status::Ok();
}

// ---- SqliteDb ----

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(
    const std::filesystem::path& file, const SqliteOpenOptions& options) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                    (options.read_only ? 0 : SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteError(db, rc, "open " + file.string());
    sqlite3_close(db);
    return status;
  }
  std::unique_ptr<SqliteDb> out(new SqliteDb(db, /*owned=*/true));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  std::string pragmas =
      "PRAGMA cache_size=-" + std::to_string(options.cache_kib) + ";";
  if (options.exclusive && !options.read_only)
    pragmas += "PRAGMA locking_mode=EXCLUSIVE;";
  pragmas += options.read_only ? "PRAGMA query_only=1;"
                               : "PRAGMA journal_mode=WAL;"
                                 "PRAGMA synchronous=FULL;"
                                 "PRAGMA temp_store=MEMORY;";
  Status status = out->Exec(pragmas);
  if (!status.ok()) {
    return status.Prefixed(file.string());
  }
  return out;
}

std::unique_ptr<SqliteDb> SqliteDb::Borrow(sqlite3* db) {
  return std::unique_ptr<SqliteDb>(new SqliteDb(db, /*owned=*/false));
}

SqliteDb::~SqliteDb() {
  statements_.clear();  // finalized before the close
  // Closing rolls back a transaction still open.
  if (owned_) sqlite3_close_v2(db_);
}

Status SqliteDb::Exec(std::string_view sql) { return SqliteExec(db_, sql); }

Result<SqliteStatement*> SqliteDb::Compile(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK)
      return SqliteError(db_, rc, "prepare " + SqlExcerpt(sql));
    it = statements_
             .emplace(std::string(sql), std::unique_ptr<SqliteStatement>(
                                            new SqliteStatement(stmt)))
             .first;
  }
  return it->second.get();
}

Result<SqliteQuery> SqliteDb::Prepare(std::string_view sql) {
  DOCBUS_ASSIGN_OR_RETURN(SqliteStatement * statement, Compile(sql));
  return SqliteQuery(*statement);
}

Status SqliteDb::Run(std::string_view sql) {
  DOCBUS_ASSIGN_OR_RETURN(SqliteStatement * statement, Compile(sql));
  return statement->Run();
}

Status SqliteDb::Begin() { return Run("BEGIN IMMEDIATE"); }

Status SqliteDb::Commit() {
  Status status = Run("COMMIT");
  // A failed COMMIT may leave the transaction open; nothing of it survives.
  if (!status.ok() && in_transaction()) (void)Run("ROLLBACK");
  return status;
}

Status SqliteDb::Rollback() {
  if (!in_transaction()) return Status::Ok();
  return Run("ROLLBACK");
}

Result<SqliteSavepoint> SqliteDb::Savepoint(std::string_view name) {
  DOCBUS_RETURN_IF_ERROR(Run("SAVEPOINT " + std::string(name)));
  return SqliteSavepoint(this, name);
}

}  // namespace docbus
