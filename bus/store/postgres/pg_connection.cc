#include "bus/store/postgres/pg_connection.h"

#include <algorithm>
#include <cstring>

#include "bus/core/log.h"

namespace docbus::store::pg {
namespace {

// libpq's message on one line, for one log line per event.
std::string Trimmed(const char* message) {
  std::string out;
  for (const char* c = message ? message : ""; *c != '\0'; ++c) {
    if (*c == '\n' || *c == '\t') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(*c);
    }
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

Code CodeOfSqlState(std::string_view state) {
  if (state == "23505") return Code::kAlreadyExists;
  if (state.substr(0, 2) == "08" || state.substr(0, 3) == "57P" ||
      state == "40001" || state == "40P01") {
    return Code::kUnavailable;
  }
  if (state.substr(0, 2) == "53" || state.substr(0, 2) == "58") {
    return Code::kIoError;
  }
  return Code::kInternal;
}

}  // namespace

PgParams& PgParams::Text(std::string_view text) {
  const std::string& copy = owned_.emplace_back(text);
  values_.push_back(copy.c_str());
  lengths_.push_back(0);
  formats_.push_back(0);
  return *this;
}

PgParams& PgParams::Int(int64_t value) { return Text(std::to_string(value)); }

PgParams& PgParams::Bytes(std::string_view bytes) {
  // libpq wants a non-null pointer even for an empty value.
  values_.push_back(bytes.empty() ? "" : bytes.data());
  lengths_.push_back(static_cast<int>(bytes.size()));
  formats_.push_back(1);
  return *this;
}

std::string_view PgResult::Bytes(int row, int column) const {
  return std::string_view(PQgetvalue(result_.get(), row, column),
                          PQgetlength(result_.get(), row, column));
}

int64_t PgResult::Int(int row, int column) const {
  const std::string_view b = Bytes(row, column);
  uint64_t v = 0;
  for (unsigned char c : b) v = (v << 8) | c;
  // Sign-extend from the column's width (network byte order).
  const int bits = static_cast<int>(b.size()) * 8;
  if (bits > 0 && bits < 64 && (v >> (bits - 1)) != 0) {
    v |= ~uint64_t{0} << bits;
  }
  return static_cast<int64_t>(v);
}

int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return (n && *n) ? std::stoll(n) : 0;
}

Result<std::string> DescribeDsn(const std::string& dsn) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (options == nullptr) {
    Status s(Code::kInvalidArgument,
             "not a libpq connection string: " + Trimmed(error));
    PQfreemem(error);
    return s;
  }
  std::string host = "(default)", port = "5432", dbname = "(default)";
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    if (std::strcmp(o->keyword, "host") == 0) host = o->val;
    if (std::strcmp(o->keyword, "hostaddr") == 0 && host == "(default)") {
      host = o->val;
    }
    if (std::strcmp(o->keyword, "port") == 0) port = o->val;
    if (std::strcmp(o->keyword, "dbname") == 0) dbname = o->val;
  }
  PQconninfoFree(options);
  return "host " + host + " port " + port + " database " + dbname;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(
    const std::string& dsn, Setup setup, const Clock& clock,
    PgReconnectPolicy policy) {
  DOCBUS_ASSIGN_OR_RETURN(std::string where, DescribeDsn(dsn));
  std::unique_ptr<PgConnection> conn(
      new PgConnection(dsn, std::move(where), std::move(setup), clock, policy));
  DOCBUS_RETURN_IF_ERROR(conn->Open());
  return conn;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Status PgConnection::Open() {
  PQfinish(conn_);
  // Keywords are taken in order, and the DSN's (expanded from "dbname")
  // override the ones before it.
  std::vector<const char*> keys, values;
  const std::string user_timeout = std::to_string(policy_.dead_server_ms);
  if (policy_.dead_server_ms > 0) {
    keys = {"keepalives", "keepalives_idle", "keepalives_interval",
            "keepalives_count", "tcp_user_timeout"};
    values = {"1", "1", "1", "3", user_timeout.c_str()};
  }
  keys.insert(keys.end(), {"dbname", "fallback_application_name", nullptr});
  values.insert(values.end(), {dsn_.c_str(), "docbus-broker", nullptr});
  conn_ = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    Status s(Code::kUnavailable, "cannot connect to PostgreSQL at " + where_ +
                                     ": " + Trimmed(PQerrorMessage(conn_)));
    PQfinish(conn_);
    conn_ = nullptr;
    return s;
  }
  lost_ = false;
  // Server notices (e.g. "relation ... already exists, skipping") are not
  // the broker's business; drop them instead of printing to stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  if (setup_) {
    Status s = setup_(*this);
    if (!s.ok()) {
      PQfinish(conn_);
      conn_ = nullptr;
      return s.Prefixed("PostgreSQL at " + where_);
    }
  }
  return Status::Ok();
}

Status PgConnection::EnsureConnected() {
  if (conn_ != nullptr && !lost_) return Status::Ok();
  const int64_t now = clock_.MonotonicMillis();
  if (now < next_attempt_ms_) {
    return Status(Code::kUnavailable,
                  "PostgreSQL at " + where_ +
                      " is unreachable (next attempt in " +
                      std::to_string(next_attempt_ms_ - now) + " ms)");
  }
  Status s = Open();
  if (!s.ok()) {
    ++failed_attempts_;
    ++total_failed_attempts_;
    backoff_ms_ = std::clamp(backoff_ms_ * 2, policy_.min_backoff_ms,
                             policy_.max_backoff_ms);
    next_attempt_ms_ = now + backoff_ms_;
    ComponentLogger("store")->debug("reconnect attempt {} failed: {}",
                                    failed_attempts_, s.ToString());
    return s;
  }
  ComponentLogger("store")->info(
      "reconnected to PostgreSQL at {} after {} failed attempts", where_,
      failed_attempts_);
  failed_attempts_ = 0;
  backoff_ms_ = 0;
  next_attempt_ms_ = 0;
  return Status::Ok();
}

Status PgConnection::Failure(const PGresult* result, std::string_view what) {
  const char* state =
      result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message =
      Trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
  if (message.empty()) message = Trimmed(PQerrorMessage(conn_));
  Code code = state ? CodeOfSqlState(state) : Code::kUnavailable;
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    code = Code::kUnavailable;
    if (!lost_) {
      lost_ = true;
      ++losses_;
      ComponentLogger("store")->error(
          "lost the {}connection to PostgreSQL at {}: {}",
          label_.empty() ? "" : label_ + " ", where_, message);
    }
  }
  return Status(code, std::string(what) + ": " + message);
}

Status PgConnection::Exec(std::string_view sql) {
  return ExecTag(sql).status();
}

Result<std::string> PgConnection::ExecTag(std::string_view sql) {
  DOCBUS_ASSIGN_OR_RETURN(PgResult result, ExecRows(sql));
  return result.tag();
}

Result<PgResult> PgConnection::ExecRows(std::string_view sql) {
  if (conn_ == nullptr || lost_) {
    return Status(Code::kUnavailable,
                  "not connected to PostgreSQL at " + where_);
  }
  PGresult* raw = PQexec(conn_, std::string(sql).c_str());
  PgResult result(raw);
  const ExecStatusType st = PQresultStatus(raw);
  if (raw == nullptr || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)) {
    return Failure(raw, "executing SQL");
  }
  return result;
}

Result<PgResult> PgConnection::Query(std::string_view sql) {
  if (conn_ == nullptr || lost_) {
    return Status(Code::kUnavailable,
                  "not connected to PostgreSQL at " + where_);
  }
  PGresult* raw = PQexecParams(conn_, std::string(sql).c_str(), 0, nullptr,
                               nullptr, nullptr, nullptr, /*resultFormat=*/1);
  PgResult result(raw);
  if (raw == nullptr || PQresultStatus(raw) != PGRES_TUPLES_OK) {
    return Failure(raw, "query");
  }
  return result;
}

Status PgConnection::Prepare(const std::string& name, const std::string& sql) {
  PGresult* raw = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
  PgResult result(raw);
  if (raw == nullptr || PQresultStatus(raw) != PGRES_COMMAND_OK) {
    return Failure(raw, "preparing statement " + name);
  }
  return Status::Ok();
}

Result<PgResult> PgConnection::Run(const std::string& name,
                                   const PgParams& params) {
  if (conn_ == nullptr || lost_) {
    return Status(Code::kUnavailable,
                  "not connected to PostgreSQL at " + where_);
  }
  PGresult* raw =
      PQexecPrepared(conn_, name.c_str(), params.size(), params.values(),
                     params.lengths(), params.formats(), /*resultFormat=*/1);
  PgResult result(raw);
  const ExecStatusType st = PQresultStatus(raw);
  if (raw == nullptr || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)) {
    return Failure(raw, "statement " + name);
  }
  return result;
}

}  // namespace docbus::store::pg
