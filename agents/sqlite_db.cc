#include "agents/sqlite_db.h"

namespace docbus::agent {

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::BindText(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data(), value.size(),
                      SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view value) {
  // A zero-length blob still binds as a blob, not NULL.
  sqlite3_bind_blob64(stmt_, index, value.empty() ? "" : value.data(),
                      value.size(), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(sqlite3_db_handle(stmt_));
  sqlite3_reset(stmt_);
  const Code code = rc == SQLITE_CONSTRAINT ? Code::kAlreadyExists
                    : rc == SQLITE_CORRUPT  ? Code::kCorruption
                                            : Code::kIoError;
  return Status(code, "sqlite: " + msg);
}

Status Statement::Run() {
  Result<bool> r = Step();
  if (!r.ok()) return r.status();
  Reset();
  return Status::Ok();
}

int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::Text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p), n);
}

std::string Statement::Blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string()
                      : std::string(static_cast<const char*>(p), n);
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(
    const std::filesystem::path& file, bool read_only) {
  sqlite3* db = nullptr;
  // A reader opens read-write with query_only: a SQLITE_OPEN_READONLY
  // connection cannot always attach to the WAL's shared memory.
  const int flags = read_only ? SQLITE_OPEN_READWRITE
                              : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const int rc =
      sqlite3_open_v2(file.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status(Code::kIoError,
                  "cannot open " + file.string() + ": sqlite: " + msg);
  }
  std::unique_ptr<SqliteDb> out(new SqliteDb(db));
  sqlite3_busy_timeout(db, 10000);
  if (!read_only) {
    DOCBUS_RETURN_IF_ERROR(
        out->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                  " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384;"));
  } else {
    DOCBUS_RETURN_IF_ERROR(out->Exec("PRAGMA query_only=1;"));
  }
  return out;
}

SqliteDb::~SqliteDb() {
  statements_.clear();
  sqlite3_close(db_);
}

Status SqliteDb::Error(std::string_view what) const {
  return Status(Code::kIoError,
                std::string(what) + ": sqlite: " + sqlite3_errmsg(db_));
}

Status SqliteDb::Exec(std::string_view sql) {
  char* err = nullptr;
  const int rc =
      sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return Status(Code::kIoError, "sqlite: " + msg);
  }
  return Status::Ok();
}

Result<Query> SqliteDb::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt,
                           nullptr) != SQLITE_OK) {
      return Error("prepare");
    }
    it = statements_.emplace(sql, std::make_unique<Statement>(stmt)).first;
  }
  return Query(it->second.get());
}

Status SqliteDb::Begin() { return Exec("BEGIN IMMEDIATE"); }

Status SqliteDb::Commit() { return Exec("COMMIT"); }

void SqliteDb::Rollback() {
  if (in_transaction()) (void)Exec("ROLLBACK");
}

int64_t SqliteDb::changes() const { return sqlite3_changes(db_); }

bool SqliteDb::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

}  // namespace docbus::agent
