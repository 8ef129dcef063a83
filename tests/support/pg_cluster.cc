#include "tests/support/pg_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

extern char** environ;

namespace docbus::testing {
namespace {

namespace fs = std::filesystem;

std::string BinDir() {
  const char* dir = std::getenv("DOCBUS_PG_BIN");
  return dir ? dir : "/usr/lib/postgresql/15/bin";
}

bool IsRoot() { return geteuid() == 0; }

// The command line, run as nobody when we are root.
std::vector<std::string> AsServerUser(std::vector<std::string> args) {
  if (!IsRoot()) return args;
  std::vector<std::string> out = {"/usr/bin/setpriv", "--reuid=nobody",
                                  "--regid=nogroup", "--clear-groups"};
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

std::string Tail(const fs::path& log) {
  std::ifstream in(log);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  if (text.size() > 2000) text = text.substr(text.size() - 2000);
  return text;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

Result<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status(Code::kUnavailable, "socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return Status(Code::kUnavailable, "cannot bind a loopback port");
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

// posix_spawn with stdin from `stdin_fd` (or /dev/null), output appended to
// `log`, in folder `cwd`.
Result<pid_t> Spawn(const std::vector<std::string>& args, const fs::path& log,
                    const fs::path& cwd, int stdin_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  std::vector<char*> argv;
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Status(Code::kUnavailable,
                  "cannot run " + args[0] + ": " + std::strerror(rc));
  }
  return pid;
}

}  // namespace

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
  DOCBUS_ASSIGN_OR_RETURN(pid_t pid, Spawn(AsServerUser(args), log, dir_, -1));
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return Status(Code::kUnavailable,
                  args[0] + " failed; its output:\n" + Tail(log));
  }
  return Status::Ok();
}

Status PgCluster::StartWatchdog() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Status(Code::kUnavailable, "pipe2() failed");
  }
  std::string stop;
  for (const std::string& a :
       AsServerUser({BinDir() + "/pg_ctl", "-D", (dir_ / "data").string(),
                     "stop", "-m", "immediate", "-w"})) {
    stop += ShellQuote(a) + " ";
  }
  const std::string script = "trap '' INT TERM HUP; cat >/dev/null; " + stop +
                             ">/dev/null 2>&1; rm -rf " +
                             ShellQuote(dir_.string());
  auto pid = Spawn({"/bin/sh", "-c", script}, "/dev/null", "/", fds[0]);
  close(fds[0]);
  if (!pid.ok()) {
    close(fds[1]);
    return pid.status();
  }
  watchdog_ = *pid;
  watchdog_pipe_ = fds[1];
  return Status::Ok();
}

Status PgCluster::Init() {
  std::string pattern =
      (fs::temp_directory_path() / "docbus-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status(Code::kUnavailable, "mkdtemp failed");
  }
  dir_ = pattern;
  DOCBUS_RETURN_IF_ERROR(StartWatchdog());
  if (IsRoot()) {
    const passwd* nobody = getpwnam("nobody");
    if (nobody == nullptr ||
        chown(dir_.c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
      return Status(Code::kUnavailable,
                    "cannot give " + dir_.string() + " to user nobody");
    }
  }
  const fs::path log = dir_ / "tools.log";
  DOCBUS_RETURN_IF_ERROR(RunTool(
      {BinDir() + "/initdb", "-D", (dir_ / "data").string(), "-U", "postgres",
       "-A", "trust", "--no-sync", "--locale=C", "-E", "UTF8"},
      log));
  // A port taken between our probe and the server's bind: try another.
  Status started;
  for (int attempt = 0; attempt < 3; ++attempt) {
    DOCBUS_ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
    const std::string options = "-c listen_addresses=127.0.0.1 -p " +
                                std::to_string(port_) +
                                " -c unix_socket_directories='' -c fsync=off"
                                " -c full_page_writes=off -c max_connections=40"
                                " -c shared_buffers=16MB";
    started = RunTool({BinDir() + "/pg_ctl", "-D", (dir_ / "data").string(),
                       "-l", (dir_ / "server.log").string(), "-w", "-t", "60",
                       "-o", options, "start"},
                      log);
    if (started.ok()) break;
  }
  if (!started.ok()) {
    return Status(started.code(), started.message() + "\nserver log:\n" +
                                      Tail(dir_ / "server.log"));
  }
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

PgCluster::~PgCluster() {
  PQfinish(admin_);
  if (watchdog_pipe_ >= 0) close(watchdog_pipe_);  // the watchdog cleans up
  if (watchdog_ > 0) {
    int wstatus = 0;
    while (waitpid(watchdog_, &wstatus, 0) < 0 && errno == EINTR) {
    }
  }
}

std::string PgCluster::Dsn(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + dbname +
         " user=postgres";
}

Status PgCluster::Exec(const std::string& dbname, const std::string& sql) {
  PGconn* conn =
      dbname == "postgres" ? admin_ : PQconnectdb(Dsn(dbname).c_str());
  Status s;
  if (PQstatus(conn) != CONNECTION_OK) {
    s = Status(Code::kUnavailable, PQerrorMessage(conn));
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    const ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      s = Status(Code::kInternal, sql + ": " + PQresultErrorMessage(r));
    }
    PQclear(r);
  }
  if (conn != admin_) PQfinish(conn);
  return s;
}

Result<int64_t> PgCluster::QueryInt(const std::string& dbname,
                                    const std::string& sql) {
  PGconn* conn = PQconnectdb(Dsn(dbname).c_str());
  Result<int64_t> out = Status(Code::kUnavailable, PQerrorMessage(conn));
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
      out = static_cast<int64_t>(std::stoll(PQgetvalue(r, 0, 0)));
    } else {
      out = Status(Code::kInternal, sql + ": " + PQresultErrorMessage(r));
    }
    PQclear(r);
  }
  PQfinish(conn);
  return out;
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
      RunTool({BinDir() + "/pg_ctl", "-D", (dir_ / "data").string(), "-l",
               (dir_ / "server.log").string(), "-w", "-t", "60", "-m", "fast",
               "restart"},
              dir_ / "tools.log"));
  return Admin();
}

}  // namespace docbus::testing
