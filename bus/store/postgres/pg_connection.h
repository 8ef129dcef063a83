// PgConnection: the one file that wraps libpq. A connection to PostgreSQL
// given a libpq DSN, with every failure turned into a Status (PostgreSQL's
// own message kept) and SQLSTATEs mapped to docbus codes:
//   23505 unique violation                    -> kAlreadyExists
//   class 08, 57P0x, 40001, 40P01, lost link  -> kUnavailable (retry later)
//   class 53 (disk full, out of memory), 58   -> kIoError (retry later)
//   anything else                             -> kInternal
// Parameters go in binary for bytea and as text otherwise; results come back
// in binary (PgResult decodes integers).
//
// A lost connection is noticed by the call that fails (logged once, counted);
// EnsureConnected() then reconnects, at most once per backoff interval
// (doubling up to a maximum), runs the caller's setup again (prepared
// statements are per connection) and logs the recovery once.
//
// Thread-safety: none; one thread owns a connection.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/clock.h"
#include "bus/core/status.h"

namespace docbus::store::pg {

// Parameters of one statement, in $1, $2, ... order. Byte strings are
// borrowed (they must outlive the call); text and integers are copied.
class PgParams {
 public:
  PgParams& Text(std::string_view text);
  PgParams& Int(int64_t value);
  PgParams& Bytes(std::string_view bytes);  // bytea, sent as is

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::deque<std::string> owned_;  // stable addresses for the text values
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// The rows of a statement, in binary format. Columns must be bytea, text or
// an integer type.
class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}

  int rows() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const {
    return PQgetisnull(result_.get(), row, column) != 0;
  }
  std::string_view Bytes(int row, int column) const;
  std::string String(int row, int column) const {
    return std::string(Bytes(row, column));
  }
  // A smallint, integer or bigint column.
  int64_t Int(int row, int column) const;
  // Rows inserted, updated or deleted.
  int64_t affected() const;
  // The command tag ("COMMIT", "ROLLBACK", "SELECT 1").
  std::string tag() const { return PQcmdStatus(result_.get()); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

struct PgReconnectPolicy {
  int64_t min_backoff_ms = 100;
  int64_t max_backoff_ms = 10'000;
  // A server that stops answering (a partition, a dead host: no RST) fails
  // the call within about this long instead of the kernel's minutes: TCP
  // keepalives every second and tcp_user_timeout. 0: libpq's defaults. The
  // DSN's own keepalive settings win.
  int64_t dead_server_ms = 0;
};

class PgConnection {
 public:
  // Runs after every successful connect (prepare statements, take locks);
  // a failure closes the connection again.
  using Setup = std::function<Status(PgConnection&)>;

  // Connects and runs `setup`. kUnavailable naming the DSN's host, port and
  // database (never its password) when the server cannot be reached;
  // kInvalidArgument for a DSN libpq cannot parse. `clock` must outlive the
  // connection.
  static Result<std::unique_ptr<PgConnection>> Connect(
      const std::string& dsn, Setup setup, const Clock& clock,
      PgReconnectPolicy policy = {});
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs SQL text (may hold several statements) with no parameters and
  // no rows wanted.
  Status Exec(std::string_view sql);
  // As Exec; the command tag of the last statement ("COMMIT", "ROLLBACK").
  Result<std::string> ExecTag(std::string_view sql);
  // As Exec; the rows of the last statement, in text format (a BEGIN and
  // a check in one round trip).
  Result<PgResult> ExecRows(std::string_view sql);
  // Runs one parameterless query and returns its rows (setup and
  // migrations; everything frequent is prepared).
  Result<PgResult> Query(std::string_view sql);
  // Prepares `sql` under `name` on this connection.
  Status Prepare(const std::string& name, const std::string& sql);
  // Runs the statement prepared under `name`.
  Result<PgResult> Run(const std::string& name, const PgParams& params);

  // True once a call found the connection gone, until a reconnect.
  bool lost() const { return lost_ || conn_ == nullptr; }
  // Ok when connected; otherwise tries to reconnect if the backoff allows,
  // else kUnavailable at once.
  Status EnsureConnected();
  // Connection attempts that failed since the last loss (0 when connected)
  // and in all.
  int64_t failed_attempts() const { return failed_attempts_; }
  int64_t connection_losses() const { return losses_; }
  int64_t total_failed_attempts() const { return total_failed_attempts_; }
  // The server process serving this connection (pg_terminate_backend).
  int backend_pid() const { return conn_ ? PQbackendPID(conn_) : 0; }
  // "host H port P database D", for messages.
  const std::string& where() const { return where_; }
  // Names the connection in its log lines ("lease": "lost the lease
  // connection to PostgreSQL at ..."); "" for the store's own.
  void set_label(std::string label) { label_ = std::move(label); }

 private:
  PgConnection(std::string dsn, std::string where, Setup setup,
               const Clock& clock, PgReconnectPolicy policy)
      : dsn_(std::move(dsn)),
        where_(std::move(where)),
        setup_(std::move(setup)),
        clock_(clock),
        policy_(policy) {}
  Status Open();
  // The Status of a failed result (or of a null one); notices a lost link.
  Status Failure(const PGresult* result, std::string_view what);

  std::string dsn_;
  std::string where_;
  std::string label_;
  Setup setup_;
  const Clock& clock_;
  PgReconnectPolicy policy_;
  PGconn* conn_ = nullptr;
  bool lost_ = false;
  int64_t failed_attempts_ = 0;
  int64_t total_failed_attempts_ = 0;
  int64_t losses_ = 0;
  int64_t next_attempt_ms_ = 0;
  int64_t backoff_ms_ = 0;
};

// "host H port P database D" of a DSN, without its password; the parse
// error when libpq rejects it (kInvalidArgument).
Result<std::string> DescribeDsn(const std::string& dsn);

}  // namespace docbus::store::pg
