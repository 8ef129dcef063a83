// PgReplicaPair: two throwaway PostgreSQL 15 servers for tests, a primary
// and a synchronous streaming replica, so a test can kill the primary
// (kill -9 of its postmaster), promote the replica and check that nothing
// the primary acknowledged as committed is lost.
//
// Start() runs initdb for the primary and starts it on a free loopback port
// with `synchronous_standby_names = 'replica'` and `synchronous_commit = on`
// (replication connections are trusted on 127.0.0.1, as initdb's pg_hba
// allows), copies it with `pg_basebackup -R -X stream`, and starts the copy
// as a hot standby on its own port whose `primary_conninfo` carries
// `application_name=replica`. It returns once the primary reports the
// replica as `sync` in pg_stat_replication: from then on a COMMIT on the
// primary returns only after the replica has the commit's WAL on disk.
// Both servers run as in PgCluster (as nobody when root, fsync off: test
// data only), and one watchdog stops both and removes their folder however
// the test process ends.
//
// Start() takes 1.5-2.5 s on a shared 2-core machine (tests/support/
// README.md has the parts); a pair serves one failover, so a test starts
// one per failover it makes.
//
// Thread-safety: none; use it from the test's thread.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "bus/core/status.h"
#include "tests/support/pg_server_tools.h"

namespace docbus::testing {

class PgReplicaPair {
 public:
  // Primary, base backup, replica, wait for `sync`. kUnavailable with the
  // tool's or server's output when a binary is missing, a server does not
  // start, or the replica is not synchronous within 60 s.
  static Result<std::unique_ptr<PgReplicaPair>> Start();
  ~PgReplicaPair();
  PgReplicaPair(const PgReplicaPair&) = delete;
  PgReplicaPair& operator=(const PgReplicaPair&) = delete;

  // A new empty database, made on the current primary (it replicates); its
  // name.
  Result<std::string> CreateDatabase();
  // The DSN of database `dbname` on the first primary alone.
  std::string Dsn(const std::string& dbname) const;
  // The DSN of database `dbname` on the replica alone (read-only until
  // Promote()).
  std::string ReplicaDsn(const std::string& dbname) const;
  // Both servers, primary first, for a client that must find the writable
  // one itself: `host=127.0.0.1,127.0.0.1 port=P1,P2 ...
  // target_session_attrs=read-write connect_timeout=2`.
  std::string MultiHostDsn(const std::string& dbname) const;

  // kill -9 of the primary's postmaster (its pid read from postmaster.pid)
  // and of every process it started (backends, WAL sender), as when the
  // primary's machine dies; returns once they are all gone. Its open
  // connections then fail and it accepts no new ones. kFailedPrecondition if
  // it was already killed; kUnavailable if the pid cannot be read or the
  // processes do not go.
  Status KillPrimary();
  // `pg_ctl promote -w` on the replica; returns once pg_is_in_recovery() is
  // false there, i.e. it takes writes. kFailedPrecondition if already
  // promoted; kUnavailable with the tool's output if promotion fails.
  Status Promote();

  // Runs SQL on database `dbname` of the current primary (the replica once
  // promoted) as the superuser.
  Status Exec(const std::string& dbname, const std::string& sql);
  // The single integer a query on `dbname` of the current primary returns.
  Result<int64_t> QueryInt(const std::string& dbname, const std::string& sql);

  int primary_port() const { return primary_port_; }
  int replica_port() const { return replica_port_; }

 private:
  PgReplicaPair() = default;
  Status Init();
  Status StartPrimary();
  Status StartReplica();
  // Polls `sql` (a query of one boolean) on database postgres of the server
  // on `port` until it is true, for up to 60 s.
  Status WaitUntil(int port, const std::string& sql, const std::string& what);
  std::string DsnOn(int port, const std::string& dbname) const;
  int current_primary_port() const {
    return promoted_ ? replica_port_ : primary_port_;
  }

  std::filesystem::path dir_;
  std::unique_ptr<ServerWatchdog> watchdog_;
  int primary_port_ = 0;
  int replica_port_ = 0;
  bool primary_killed_ = false;
  bool promoted_ = false;
  int next_database_ = 0;
};

}  // namespace docbus::testing
