// What only the PostgreSQL store has: a server that can go away. A cut
// connection fails the turn (kUnavailable, nothing kept) and the next
// Begin() reconnects by itself; a restarted server is picked up the same
// way; an unreachable server is a start-up error naming host and port,
// never the password. (Which broker may write: leader_lease_test.cc.)
#include <catch2/catch.hpp>
#include <string>

#include "bus/audit/audit_log.h"
#include "bus/store/faulty_broker_store.h"
#include "tests/store/store_backends.h"
#include "tests/store/store_records.h"

namespace docbus::store {
namespace {

const pg::PgConnection& ConnectionOf(BrokerStore& store) {
  auto* pg = dynamic_cast<pg::PgBrokerStore*>(&store);
  REQUIRE(pg != nullptr);
  return pg->connection();
}

TEST_CASE(
    "a connection cut mid-turn fails the turn, keeps what was committed and "
    "reconnects at the next Begin on PostgreSQL",
    "[store][faults]") {
  PostgreSQL backend;
  FaultyBrokerStore store(backend.Open());
  const pg::PgConnection& conn = ConnectionOf(store.inner());
  audit::AuditLog log(store.audit_storage(), "docbus.test/log");

  DocumentRecord committed = BeginWithDocument(store, "m-1");
  REQUIRE(log.Append(Record("m-1")).ok());
  REQUIRE(store.Commit().ok());

  DocumentRecord doc = BeginWithDocument(store, "m-2");
  const int pid = conn.backend_pid();
  store.OnNthWrite(
      1, [&] { REQUIRE(backend.cluster->TerminateBackend(pid).ok()); });
  DeliveryRecord d = MakeDelivery("000.00.01.H01", 0, doc.id);
  CHECK(store.InsertDelivery(d).code() == Code::kUnavailable);
  CHECK(conn.lost());
  CHECK(store.Rollback().ok());
  log.Reload();

  Status begun = store.Begin();  // reconnects
  INFO(begun.ToString());
  REQUIRE(begun.ok());
  CHECK_FALSE(conn.lost());
  CHECK(conn.backend_pid() != pid);
  CHECK(conn.connection_losses() == 1);
  CHECK(store.FindDocument("000.00.00.G22", "m-1")->has_value());
  CHECK_FALSE(store.FindDocument("000.00.00.G22", "m-2")->has_value());
  DocumentRecord again = MakeDocument("m-2");
  REQUIRE(store.InsertDocument(again).ok());
  REQUIRE(log.Append(Record("m-2")).value() == 1);
  REQUIRE(store.Commit().ok());
  CHECK(store.audit_storage().Size().value() == 2);
}

TEST_CASE(
    "a commit cut by a lost connection is reported, and the store recovers "
    "on PostgreSQL",
    "[store][faults]") {
  PostgreSQL backend;
  auto store = backend.Open();
  const pg::PgConnection& conn = ConnectionOf(*store);
  BeginWithDocument(*store, "m-1");
  REQUIRE(backend.cluster->TerminateBackend(conn.backend_pid()).ok());
  CHECK(store->Commit().code() == Code::kUnavailable);
  CHECK(store->Rollback().ok());
  REQUIRE(store->Begin().ok());
  CHECK_FALSE(store->FindDocument("000.00.00.G22", "m-1")->has_value());
  REQUIRE(store->Rollback().ok());
}

TEST_CASE("a restarted server is picked up at the next Begin on PostgreSQL",
          "[store][faults]") {
  PostgreSQL backend;
  auto store = backend.Open();
  BeginWithDocument(*store, "m-1");
  REQUIRE(store->Commit().ok());
  REQUIRE(backend.cluster->Restart().ok());
  REQUIRE(store->Begin().ok());
  CHECK(store->FindDocument("000.00.00.G22", "m-1")->has_value());
  DocumentRecord doc = MakeDocument("m-2");
  REQUIRE(store->InsertDocument(doc).ok());
  REQUIRE(store->Commit().ok());
}

TEST_CASE(
    "an unreachable server is an error naming host and port, not the "
    "password, on PostgreSQL",
    "[store]") {
  PostgreSQL backend;  // only for a port nothing listens on
  const std::string dsn =
      "host=127.0.0.1 port=1 dbname=broker user=docbus "
      "password=s3cret-pw connect_timeout=5";
  auto store = OpenPostgresBrokerStore(PostgresOptions{.dsn = dsn});
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Code::kUnavailable);
  const std::string message = store.status().message();
  INFO(message);
  CHECK(message.find("host 127.0.0.1 port 1") != std::string::npos);
  CHECK(message.find("s3cret-pw") == std::string::npos);

  auto garbled = OpenPostgresBrokerStore(PostgresOptions{.dsn = "host=x port"});
  CHECK(garbled.status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace docbus::store
