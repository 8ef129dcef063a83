// PgCluster: a throwaway PostgreSQL 15 server for tests, started by the test
// itself -- no server, user or port needs setting up beforehand.
//
// Start() runs initdb into a fresh folder under the temp dir, then
// `pg_ctl start -w` listening on a free loopback port only (no Unix socket).
// As root (CI), the folder is given to `nobody` and the server binaries run
// through `setpriv --reuid=nobody --regid=nogroup --clear-groups`, since
// initdb and postgres refuse to run as root. The cluster trades durability
// for speed (fsync=off): it holds test data only.
//
// Clean-up never depends on the test ending well: a watchdog shell started
// beside the server waits on a pipe only this process holds, and when the
// pipe closes -- the destructor, exit, a crash, a kill -- it stops the server
// (`pg_ctl stop -m immediate`) and removes the folder (ServerWatchdog in
// pg_server_tools.h, shared with PgReplicaPair).
//
// Startup costs a second or two, so a test executable shares one cluster
// (Shared()) and takes a fresh database per test case (CreateDatabase()).
//
// Thread-safety: none; use it from the test's thread.
#pragma once

#include <libpq-fe.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bus/core/status.h"
#include "tests/support/pg_server_tools.h"

namespace docbus::testing {

class PgCluster {
 public:
  // initdb + pg_ctl start. kUnavailable with the tool's output when a
  // binary is missing or the server does not start.
  static Result<std::unique_ptr<PgCluster>> Start();
  // The executable's cluster, started on first use and stopped at exit.
  static Result<PgCluster*> Shared();
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // A new empty database; its DSN.
  Result<std::string> CreateDatabase();
  // The DSN of database `dbname` on this cluster.
  std::string Dsn(const std::string& dbname) const;
  // `pg_ctl restart -m fast`: every connection is cut, the data stays.
  Status Restart();
  // Kills the server process of one connection (pg_terminate_backend) and
  // waits for it to exit.
  Status TerminateBackend(int backend_pid);
  // Kills every connection to database `dbname` but our own.
  Status TerminateDatabaseBackends(const std::string& dbname);
  // The database name in a DSN made by CreateDatabase().
  static std::string DatabaseOf(const std::string& dsn);
  // Runs SQL on database `dbname` as the superuser (test set-up).
  Status Exec(const std::string& dbname, const std::string& sql);

  // The single integer a query on `dbname` returns (e.g. a count).
  Result<int64_t> QueryInt(const std::string& dbname, const std::string& sql);

  int port() const { return port_; }

 private:
  PgCluster() = default;
  Status Init();
  // Runs a server binary (as nobody when root); output goes to `log`.
  Status RunTool(const std::vector<std::string>& args,
                 const std::filesystem::path& log);
  Status Admin();  // (re)connects admin_

  std::filesystem::path dir_;
  int port_ = 0;
  PGconn* admin_ = nullptr;
  std::unique_ptr<ServerWatchdog> watchdog_;
  int next_database_ = 0;
};

}  // namespace docbus::testing
