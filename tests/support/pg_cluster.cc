#include "tests/support/pg_cluster.h"

#include "tests/support/pg_server_tools.h"

namespace docbus::testing {

namespace fs = std::filesystem;

Result<std::unique_ptr<PgCluster>> PgCluster::Start() {
  std::unique_ptr<PgCluster> cluster(new PgCluster());
  DOCBUS_RETURN_IF_ERROR(cluster->Init());
  return cluster;
}

Result<PgCluster*> PgCluster::Shared() {
  // Started once per test executable; destroyed (stopped, removed) at exit.
  static Result<std::unique_ptr<PgCluster>> shared = Start();
  if (!shared.ok()) return shared.status();
  return shared->get();
}

Status PgCluster::RunTool(const std::vector<std::string>& args,
                          const fs::path& log) {
  return RunServerTool(args, log, dir_);
}

Status PgCluster::Init() {
  DOCBUS_ASSIGN_OR_RETURN(dir_, MakeServerFolder());
  DOCBUS_ASSIGN_OR_RETURN(watchdog_,
                          ServerWatchdog::Start(dir_, {dir_ / "data"}));
  DOCBUS_RETURN_IF_ERROR(GiveToServerUser(dir_));
  const fs::path log = dir_ / "tools.log";
  DOCBUS_RETURN_IF_ERROR(InitDataDir(dir_ / "data", log));
  DOCBUS_ASSIGN_OR_RETURN(
      port_, StartServer(dir_ / "data", dir_ / "server.log", log, ""));
  return Admin();
}

Status PgCluster::Admin() {
  PQfinish(admin_);
  admin_ = PQconnectdb(Dsn("postgres").c_str());
  if (PQstatus(admin_) != CONNECTION_OK) {
    return Status(Code::kUnavailable,
                  std::string("admin connection: ") + PQerrorMessage(admin_));
  }
  return Status::Ok();
}

// watchdog_, destroyed after this, stops the server and removes the folder.
PgCluster::~PgCluster() { PQfinish(admin_); }

std::string PgCluster::Dsn(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + dbname +
         " user=postgres";
}

Status PgCluster::Exec(const std::string& dbname, const std::string& sql) {
  if (dbname != "postgres") return ExecOn(Dsn(dbname), sql);
  return ExecWith(admin_, sql);
}

Result<int64_t> PgCluster::QueryInt(const std::string& dbname,
                                    const std::string& sql) {
  return QueryIntOn(Dsn(dbname), sql);
}

Result<std::string> PgCluster::CreateDatabase() {
  const std::string name = "test_" + std::to_string(++next_database_);
  DOCBUS_RETURN_IF_ERROR(Exec("postgres", "CREATE DATABASE " + name));
  return Dsn(name);
}

Status PgCluster::TerminateBackend(int backend_pid) {
  return Exec("postgres", "SELECT pg_terminate_backend(" +
                              std::to_string(backend_pid) + ", 10000)");
}

Status PgCluster::TerminateDatabaseBackends(const std::string& dbname) {
  return Exec("postgres",
              "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
              "WHERE datname = '" +
                  dbname + "' AND pid <> pg_backend_pid()");
}

std::string PgCluster::DatabaseOf(const std::string& dsn) {
  const size_t at = dsn.find("dbname=") + 7;
  return dsn.substr(at, dsn.find(' ', at) - at);
}

Status PgCluster::Restart() {
  PQfinish(admin_);
  admin_ = nullptr;
  DOCBUS_RETURN_IF_ERROR(
      RunTool({PgBinDir() + "/pg_ctl", "-D", (dir_ / "data").string(), "-l",
               (dir_ / "server.log").string(), "-w", "-t", "60", "-m", "fast",
               "restart"},
              dir_ / "tools.log"));
  return Admin();
}

}  // namespace docbus::testing
