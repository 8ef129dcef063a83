#include "tests/support/pg_replica_pair.h"

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace docbus::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kReplicaName[] = "replica";

// What /proc says of a process: its state letter and its parent.
struct ProcessStat {
  char state = 0;
  pid_t parent = 0;
};

std::optional<ProcessStat> Stat(const fs::path& proc_entry) {
  std::ifstream stat(proc_entry / "stat");
  std::string line;
  if (!std::getline(stat, line)) return std::nullopt;  // gone
  // "pid (comm) state ppid ...": comm may hold spaces and ')'.
  const size_t comm_end = line.rfind(')');
  if (comm_end == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(comm_end + 1));
  ProcessStat out;
  if (!(rest >> out.state >> out.parent)) return std::nullopt;
  return out;
}

// True while process `pid` exists and is not a zombie. The server's
// processes are not our children (pg_ctl detaches them), and a container's
// init may never reap them, so a zombie counts as gone: it holds no port, no
// connection and no files.
bool Running(pid_t pid) {
  const auto stat = Stat(fs::path("/proc") / std::to_string(pid));
  return stat && stat->state != 'Z';
}

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code error;
  for (const fs::directory_entry& entry :
       fs::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != name.npos) {
      continue;
    }
    const auto stat = Stat(entry.path());
    if (stat && stat->parent == parent) children.push_back(std::stoi(name));
  }
  return children;
}

// Polling waits on the servers' own processes (replication, promotion)
// have no event to block on; 20 ms keeps them short without spinning.
void PollPause() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

}  // namespace

Result<std::unique_ptr<PgReplicaPair>> PgReplicaPair::Start() {
  std::unique_ptr<PgReplicaPair> pair(new PgReplicaPair());
  DOCBUS_RETURN_IF_ERROR(pair->Init());
  return pair;
}

// watchdog_, destroyed after this, stops both servers and removes the folder.
PgReplicaPair::~PgReplicaPair() = default;

Status PgReplicaPair::Init() {
  DOCBUS_ASSIGN_OR_RETURN(dir_, MakeServerFolder());
  DOCBUS_ASSIGN_OR_RETURN(
      watchdog_,
      ServerWatchdog::Start(dir_, {dir_ / "primary", dir_ / "replica"}));
  DOCBUS_RETURN_IF_ERROR(GiveToServerUser(dir_));
  DOCBUS_RETURN_IF_ERROR(StartPrimary());
  DOCBUS_RETURN_IF_ERROR(StartReplica());
  return WaitUntil(primary_port_,
                   std::string("SELECT count(*) = 1 FROM pg_stat_replication "
                               "WHERE application_name = '") +
                       kReplicaName + "' AND sync_state = 'sync'",
                   "the replica to be synchronous");
}

Status PgReplicaPair::StartPrimary() {
  const fs::path log = dir_ / "tools.log";
  DOCBUS_RETURN_IF_ERROR(InitDataDir(dir_ / "primary", log));
  DOCBUS_ASSIGN_OR_RETURN(
      primary_port_,
      StartServer(dir_ / "primary", dir_ / "primary.log", log,
                  std::string("-c wal_level=replica -c max_wal_senders=4"
                              " -c synchronous_commit=on"
                              " -c synchronous_standby_names=") +
                      kReplicaName));
  return Status::Ok();
}

Status PgReplicaPair::StartReplica() {
  const fs::path log = dir_ / "tools.log";
  // -R writes standby.signal and a primary_conninfo made of these
  // connection parameters, application_name included: it is the name
  // synchronous_standby_names waits for.
  DOCBUS_RETURN_IF_ERROR(RunServerTool(
      {PgBinDir() + "/pg_basebackup", "-D", (dir_ / "replica").string(), "-R",
       "-X", "stream", "--no-sync", "-c", "fast", "-d",
       "host=127.0.0.1 port=" + std::to_string(primary_port_) +
           " user=postgres application_name=" + kReplicaName},
      log, dir_));
  // The same settings as the primary's except the synchronous standby:
  // once promoted, the replica has none, and its commits must not wait.
  DOCBUS_ASSIGN_OR_RETURN(
      replica_port_, StartServer(dir_ / "replica", dir_ / "replica.log", log,
                                 "-c wal_level=replica -c max_wal_senders=4"
                                 " -c hot_standby=on"));
  return Status::Ok();
}

Status PgReplicaPair::WaitUntil(int port, const std::string& sql,
                                const std::string& what) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  Result<int64_t> last = Status(Code::kUnavailable, "not asked yet");
  while (std::chrono::steady_clock::now() < deadline) {
    last = QueryIntOn(DsnOn(port, "postgres"), "SELECT (" + sql + ")::int");
    if (last.ok() && *last == 1) return Status::Ok();
    PollPause();
  }
  return Status(
      Code::kUnavailable,
      "timed out waiting for " + what + " (" +
          (last.ok() ? std::string("still false") : last.status().message()) +
          "); primary log:\n" + LogTail(dir_ / "primary.log") +
          "\nreplica log:\n" + LogTail(dir_ / "replica.log"));
}

std::string PgReplicaPair::DsnOn(int port, const std::string& dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port) + " dbname=" + dbname +
         " user=postgres";
}

std::string PgReplicaPair::Dsn(const std::string& dbname) const {
  return DsnOn(primary_port_, dbname);
}

std::string PgReplicaPair::ReplicaDsn(const std::string& dbname) const {
  return DsnOn(replica_port_, dbname);
}

std::string PgReplicaPair::MultiHostDsn(const std::string& dbname) const {
  return "host=127.0.0.1,127.0.0.1 port=" + std::to_string(primary_port_) +
         "," + std::to_string(replica_port_) + " dbname=" + dbname +
         " user=postgres target_session_attrs=read-write connect_timeout=2";
}

Result<std::string> PgReplicaPair::CreateDatabase() {
  const std::string name = "test_" + std::to_string(++next_database_);
  DOCBUS_RETURN_IF_ERROR(Exec("postgres", "CREATE DATABASE " + name));
  return name;
}

Status PgReplicaPair::Exec(const std::string& dbname, const std::string& sql) {
  return ExecOn(DsnOn(current_primary_port(), dbname), sql);
}

Result<int64_t> PgReplicaPair::QueryInt(const std::string& dbname,
                                        const std::string& sql) {
  return QueryIntOn(DsnOn(current_primary_port(), dbname), sql);
}

Status PgReplicaPair::KillPrimary() {
  if (primary_killed_) {
    return Status(Code::kFailedPrecondition, "the primary is already killed");
  }
  const fs::path pid_file = dir_ / "primary" / "postmaster.pid";
  std::ifstream in(pid_file);
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0) {
    return Status(Code::kUnavailable, "cannot read " + pid_file.string());
  }
  in.close();
  // The backends and the WAL sender go too, as when the primary's machine
  // dies: a backend orphaned by a lone kill of the postmaster goes on
  // answering its open connection until it next checks for the postmaster's
  // death. Each backend leads its own process group, so they are found as
  // the postmaster's children, while it is stopped and cannot fork more.
  if (kill(pid, SIGSTOP) != 0) {
    return Status(Code::kUnavailable, "cannot stop the primary's postmaster: " +
                                          std::string(std::strerror(errno)));
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  // A fork under way when SIGSTOP is sent ends before the process stops.
  for (auto stat = Stat(fs::path("/proc") / std::to_string(pid));
       stat && stat->state != 'T';
       stat = Stat(fs::path("/proc") / std::to_string(pid))) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status(Code::kUnavailable,
                    "the primary's postmaster did not stop within 30 s");
    }
    PollPause();
  }
  std::vector<pid_t> server = ChildrenOf(pid);
  server.push_back(pid);
  for (const pid_t process : server) kill(process, SIGKILL);
  for (const pid_t process : server) {
    while (Running(process)) {
      if (std::chrono::steady_clock::now() > deadline) {
        return Status(Code::kUnavailable,
                      "the primary's processes outlived kill -9 by 30 s");
      }
      PollPause();
    }
  }
  primary_killed_ = true;
  // The watchdog's `pg_ctl stop` must not signal a process that reuses the
  // dead postmaster's pid.
  std::error_code ignored;
  fs::remove(pid_file, ignored);
  return Status::Ok();
}

Status PgReplicaPair::Promote() {
  if (promoted_) {
    return Status(Code::kFailedPrecondition, "the replica is already promoted");
  }
  DOCBUS_RETURN_IF_ERROR(
      RunServerTool({PgBinDir() + "/pg_ctl", "-D", (dir_ / "replica").string(),
                     "-w", "-t", "60", "promote"},
                    dir_ / "tools.log", dir_));
  DOCBUS_RETURN_IF_ERROR(WaitUntil(replica_port_,
                                   "SELECT NOT pg_is_in_recovery()",
                                   "the promoted replica to take writes"));
  promoted_ = true;
  return Status::Ok();
}

}  // namespace docbus::testing
