#include "tests/support/pg_server_tools.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
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

extern char** environ;

namespace docbus::testing {
namespace {

namespace fs = std::filesystem;

bool IsRoot() { return geteuid() == 0; }

// The command line, run as nobody when we are root.
std::vector<std::string> AsServerUser(std::vector<std::string> args) {
  if (!IsRoot()) return args;
  std::vector<std::string> out = {"/usr/bin/setpriv", "--reuid=nobody",
                                  "--regid=nogroup", "--clear-groups"};
  out.insert(out.end(), args.begin(), args.end());
  return out;
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

std::string PgBinDir() {
  const char* dir = std::getenv("DOCBUS_PG_BIN");
  return dir ? dir : "/usr/lib/postgresql/15/bin";
}

Result<fs::path> MakeServerFolder() {
  std::string pattern =
      (fs::temp_directory_path() / "docbus-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status(Code::kUnavailable, "mkdtemp failed");
  }
  return fs::path(pattern);
}

Status GiveToServerUser(const fs::path& folder) {
  if (!IsRoot()) return Status::Ok();
  const passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr ||
      chown(folder.c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
    return Status(Code::kUnavailable,
                  "cannot give " + folder.string() + " to user nobody");
  }
  return Status::Ok();
}

std::string LogTail(const fs::path& log) {
  std::ifstream in(log);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  if (text.size() > 2000) text = text.substr(text.size() - 2000);
  return text;
}

Status RunServerTool(const std::vector<std::string>& args, const fs::path& log,
                     const fs::path& cwd) {
  DOCBUS_ASSIGN_OR_RETURN(pid_t pid, Spawn(AsServerUser(args), log, cwd, -1));
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return Status(Code::kUnavailable,
                  args[0] + " failed; its output:\n" + LogTail(log));
  }
  return Status::Ok();
}

Status InitDataDir(const fs::path& data, const fs::path& log) {
  return RunServerTool(
      {PgBinDir() + "/initdb", "-D", data.string(), "-U", "postgres", "-A",
       "trust", "--no-sync", "--locale=C", "-E", "UTF8"},
      log, data.parent_path());
}

Result<int> StartServer(const fs::path& data, const fs::path& server_log,
                        const fs::path& log, const std::string& extra_options) {
  // A port taken between our probe and the server's bind: try another.
  Status started;
  for (int attempt = 0; attempt < 3; ++attempt) {
    DOCBUS_ASSIGN_OR_RETURN(const int port, FreeLoopbackPort());
    const std::string options = "-c listen_addresses=127.0.0.1 -p " +
                                std::to_string(port) +
                                " -c unix_socket_directories='' -c fsync=off"
                                " -c full_page_writes=off -c max_connections=40"
                                " -c shared_buffers=16MB " +
                                extra_options;
    started = RunServerTool(
        {PgBinDir() + "/pg_ctl", "-D", data.string(), "-l", server_log.string(),
         "-w", "-t", "60", "-o", options, "start"},
        log, data.parent_path());
    if (started.ok()) return port;
  }
  return Status(started.code(),
                started.message() + "\nserver log:\n" + LogTail(server_log));
}

Status ExecWith(PGconn* conn, const std::string& sql) {
  if (PQstatus(conn) != CONNECTION_OK) {
    return Status(Code::kUnavailable, PQerrorMessage(conn));
  }
  Status s;
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    s = Status(Code::kInternal, sql + ": " + PQresultErrorMessage(r));
  }
  PQclear(r);
  return s;
}

Status ExecOn(const std::string& dsn, const std::string& sql) {
  PGconn* conn = PQconnectdb(dsn.c_str());
  Status s = ExecWith(conn, sql);
  PQfinish(conn);
  return s;
}

Result<int64_t> QueryIntOn(const std::string& dsn, const std::string& sql) {
  PGconn* conn = PQconnectdb(dsn.c_str());
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

Result<std::unique_ptr<ServerWatchdog>> ServerWatchdog::Start(
    const fs::path& folder, const std::vector<fs::path>& data_dirs) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Status(Code::kUnavailable, "pipe2() failed");
  }
  std::string script = "trap '' INT TERM HUP; cat >/dev/null; ";
  for (const fs::path& data : data_dirs) {
    for (const std::string& a :
         AsServerUser({PgBinDir() + "/pg_ctl", "-D", data.string(), "stop",
                       "-m", "immediate", "-w"})) {
      script += ShellQuote(a) + " ";
    }
    script += ">/dev/null 2>&1; ";
  }
  script += "rm -rf " + ShellQuote(folder.string());
  auto pid = Spawn({"/bin/sh", "-c", script}, "/dev/null", "/", fds[0]);
  close(fds[0]);
  if (!pid.ok()) {
    close(fds[1]);
    return pid.status();
  }
  return std::unique_ptr<ServerWatchdog>(new ServerWatchdog(fds[1], *pid));
}

ServerWatchdog::~ServerWatchdog() {
  close(pipe_);  // the shell's `cat` ends: it cleans up
  int wstatus = 0;
  while (waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace docbus::testing
