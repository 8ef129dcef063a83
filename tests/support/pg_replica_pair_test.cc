// PgReplicaPair: what a failover test relies on -- every row the primary
// acknowledged is on the promoted replica, and a client on the multi-host
// DSN finds the new primary and writes there.
#include "tests/support/pg_replica_pair.h"

#include <libpq-fe.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <string>

namespace docbus::testing {
namespace {

// Autocommitted statements, each acknowledged when PQexec returns OK.
bool Run(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
                  PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) UNSCOPED_INFO(sql << ": " << PQresultErrorMessage(r));
  PQclear(r);
  return ok;
}

int64_t Count(PGconn* conn) {
  PGresult* r = PQexec(conn, "SELECT count(*) FROM receipts");
  const int64_t n = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
                        ? std::stoll(PQgetvalue(r, 0, 0))
                        : -1;
  PQclear(r);
  return n;
}

TEST_CASE(
    "every commit acknowledged by the primary survives kill -9 and "
    "promotion of the replica",
    "[postgresql]") {
  const auto started_at = std::chrono::steady_clock::now();
  auto pair = PgReplicaPair::Start();
  REQUIRE(pair.status().ToString() == "ok");
  std::cout << "PgReplicaPair::Start took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started_at)
                   .count()
            << " ms\n";
  PgReplicaPair& servers = **pair;
  auto db = servers.CreateDatabase();
  REQUIRE(db.status().ToString() == "ok");
  // Bodies stored uncompressed, so the large commit below is tens of
  // megabytes of WAL for the replica to receive.
  REQUIRE(servers
              .Exec(*db,
                    "CREATE TABLE receipts (id int PRIMARY KEY, body text);"
                    "ALTER TABLE receipts ALTER body SET STORAGE EXTERNAL")
              .ToString() == "ok");

  PGconn* before = PQconnectdb(servers.MultiHostDsn(*db).c_str());
  REQUIRE(PQstatus(before) == CONNECTION_OK);
  CHECK(std::string(PQport(before)) == std::to_string(servers.primary_port()));
  // Many small commits, then one large one right before the kill: the
  // large one is the likeliest to be lost by a replica that lags.
  constexpr int kSmallCommits = 200;
  constexpr int kLargeCommitRows = 20000;
  for (int id = 1; id <= kSmallCommits; ++id) {
    REQUIRE(Run(before,
                "INSERT INTO receipts VALUES (" + std::to_string(id) + ")"));
  }
  REQUIRE(Run(before,
              "INSERT INTO receipts SELECT g, repeat('x', 2000) "
              "FROM generate_series(" +
                  std::to_string(kSmallCommits + 1) + ", " +
                  std::to_string(kSmallCommits + kLargeCommitRows) + ") g"));
  const int64_t acknowledged = kSmallCommits + kLargeCommitRows;

  REQUIRE(servers.KillPrimary().ToString() == "ok");
  CHECK_FALSE(Run(before, "SELECT 1"));  // its server is gone
  PQfinish(before);
  {
    // No read-write server until the promotion: the client must wait.
    PGconn* meanwhile = PQconnectdb(servers.MultiHostDsn(*db).c_str());
    CHECK(PQstatus(meanwhile) != CONNECTION_OK);
    PQfinish(meanwhile);
  }
  REQUIRE(servers.Promote().ToString() == "ok");

  PGconn* after = PQconnectdb(servers.MultiHostDsn(*db).c_str());
  REQUIRE(PQstatus(after) == CONNECTION_OK);
  CHECK(std::string(PQport(after)) == std::to_string(servers.replica_port()));
  CHECK(Count(after) == acknowledged);
  CHECK(Run(after, "INSERT INTO receipts VALUES (0)"));
  PQfinish(after);
  auto total = servers.QueryInt(*db, "SELECT count(*) FROM receipts");
  REQUIRE(total.status().ToString() == "ok");
  CHECK(*total == acknowledged + 1);
}

}  // namespace
}  // namespace docbus::testing
