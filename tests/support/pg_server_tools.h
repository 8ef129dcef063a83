// The pieces PgCluster and PgReplicaPair share to run throwaway PostgreSQL
// servers for tests: finding and running the server binaries (as `nobody`
// when we are root, since initdb and postgres refuse to run as root),
// initdb, `pg_ctl start` on a free loopback port, one-shot SQL through
// libpq, and the watchdog that stops the servers and removes their folder
// however the test process ends.
//
// Thread-safety: the functions keep no state and may be called from any
// thread; a ServerWatchdog belongs to the thread that owns its servers.
#pragma once

#include <libpq-fe.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bus/core/status.h"

namespace docbus::testing {

// The PostgreSQL 15 binaries ($DOCBUS_PG_BIN, else Debian's folder).
std::string PgBinDir();

// A fresh empty folder under the temp dir. kUnavailable if none can be made.
Result<std::filesystem::path> MakeServerFolder();

// Hands `folder` to `nobody` when we are root (the servers run as nobody);
// a no-op otherwise. kUnavailable if chown fails.
Status GiveToServerUser(const std::filesystem::path& folder);

// Runs a server binary (as nobody when root) in folder `cwd` and waits for
// it; its output is appended to `log`. kUnavailable with the end of the log
// when it cannot be run or exits non-zero.
Status RunServerTool(const std::vector<std::string>& args,
                     const std::filesystem::path& log,
                     const std::filesystem::path& cwd);

// The last 2000 characters of a log file ("" if it cannot be read).
std::string LogTail(const std::filesystem::path& log);

// initdb of `data` (superuser `postgres`, trust on loopback, locale C), its
// output in `log`.
Status InitDataDir(const std::filesystem::path& data,
                   const std::filesystem::path& log);

// `pg_ctl start -w` of `data` listening on a free loopback port only (no Unix
// socket), fsync off, with `extra_options` ("-c name=value ...") appended;
// the server writes `server_log`, pg_ctl `log`. Tries another port when the
// probed one is taken before the server binds it. The port on success;
// kUnavailable with both logs' ends when the server does not start.
Result<int> StartServer(const std::filesystem::path& data,
                        const std::filesystem::path& server_log,
                        const std::filesystem::path& log,
                        const std::string& extra_options);

// Runs SQL through a new connection to `dsn`. kUnavailable if it cannot
// connect; kInternal with the server's message if the statement fails.
Status ExecOn(const std::string& dsn, const std::string& sql);
// The same on an open connection (kept open).
Status ExecWith(PGconn* conn, const std::string& sql);

// The single integer a query through a new connection to `dsn` returns.
// kUnavailable if it cannot connect; kInternal if the query fails or does
// not return one row.
Result<int64_t> QueryIntOn(const std::string& dsn, const std::string& sql);

// A shell started beside the servers that waits on a pipe only this process
// holds. When the pipe closes -- the destructor, exit, a crash, a kill -- it
// stops the server of each data folder (`pg_ctl stop -m immediate`) and then
// removes `folder`, so clean-up never depends on the test ending well.
class ServerWatchdog {
 public:
  // Starts the shell. `data_dirs` may name folders that do not exist yet.
  // kUnavailable if the pipe or the shell cannot be made.
  static Result<std::unique_ptr<ServerWatchdog>> Start(
      const std::filesystem::path& folder,
      const std::vector<std::filesystem::path>& data_dirs);
  // Closes the pipe and waits until the servers are stopped and the folder
  // is removed.
  ~ServerWatchdog();
  ServerWatchdog(const ServerWatchdog&) = delete;
  ServerWatchdog& operator=(const ServerWatchdog&) = delete;

 private:
  ServerWatchdog(int pipe, pid_t pid) : pipe_(pipe), pid_(pid) {}

  int pipe_;
  pid_t pid_;
};

}  // namespace docbus::testing
