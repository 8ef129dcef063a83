// The broker on PostgreSQL (store.backend = "postgresql"), on a throwaway
// cluster the test starts itself: it accepts, keeps and delivers documents
// across its own restart; when the database refuses the turn's writes, the
// sender gets no answer and nothing is kept, and once the database takes
// writes again the resubmission is accepted as new; a server restart is
// survived without a broker restart. A second broker on the database waits
// as a standby, says so, and takes over when the active one stops.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/broker/broker_fixture.h"
#include "tests/support/pg_cluster.h"

namespace docbus::broker::test {
namespace {

using docbus::testing::PgCluster;

// Ends the store's connections to `db` (not the broker lease's).
void TerminateStoreConnections(PgCluster& cluster, const std::string& db) {
  REQUIRE(cluster
              .Exec("postgres",
                    "SELECT pg_terminate_backend(pid, 10000) FROM "
                    "pg_stat_activity WHERE datname = '" +
                        db +
                        "' AND application_name = 'docbus-broker' AND pid <> "
                        "pg_backend_pid()")
              .ok());
}

struct BrokerOnPostgres {
  BrokerOnPostgres() {
    auto shared = PgCluster::Shared();
    if (!shared.ok()) FAIL("no PostgreSQL: " + shared.status().ToString());
    cluster = *shared;
    auto created = cluster->CreateDatabase();
    REQUIRE(created.ok());
    dsn = *created;
    options = TestOptions(dir.path() / "data");
    options.store_backend = "postgresql";
    options.store_dsn = dsn;
  }
  // Whether the database holds a document of G22 with `message_id`
  // (read beside the running broker).
  bool Stored(const std::string& message_id) {
    auto count = cluster->QueryInt(
        PgCluster::DatabaseOf(dsn),
        "SELECT count(*) FROM documents WHERE message_id = '" + message_id +
            "'");
    REQUIRE(count.ok());
    return *count > 0;
  }
  PgCluster* cluster = nullptr;
  std::string dsn;
  TempDir dir;
  BrokerOptions options;
};

std::string MessageIdOf(const v1::Submit& submit) {
  v1::DocumentHeader header;
  header.ParseFromString(submit.document().header());
  return header.message_id();
}

TEST_CASE_METHOD(BrokerOnPostgres,
                 "a broker on PostgreSQL keeps and delivers what it accepted "
                 "across its restart",
                 "[broker][postgresql]") {
  const v1::Submit submit = MakeSubmit(kG22, {kH41}, {"attachment bytes"});
  {
    TestBroker b(options);
    TestAgent g22(kG22, b.broker().zmq_endpoint());
    g22.Open();
    REQUIRE(g22.Submit(submit).has_accepted());
  }
  TestBroker b(options);
  TestAgent h41(kH41, b.broker().zmq_endpoint());
  h41.Open();
  const v1::Frame deliver = h41.Expect(v1::Frame::kDeliver);
  CHECK(deliver.deliver().document().document().header() ==
        submit.document().header());
}

TEST_CASE_METHOD(BrokerOnPostgres,
                 "a turn the database refuses sends no answer and keeps "
                 "nothing; the resubmission is accepted once it recovers",
                 "[broker][postgresql]") {
  TestBroker b(options);
  TestAgent g22(kG22, b.broker().zmq_endpoint());
  g22.Open();
  REQUIRE(g22.Submit(MakeSubmit(kG22, {kH41})).has_accepted());

  // New sessions may only read: the broker's reconnect gets one, and its
  // next writing turn fails.
  const std::string db = PgCluster::DatabaseOf(dsn);
  REQUIRE(cluster
              ->Exec("postgres", "ALTER DATABASE " + db +
                                     " SET default_transaction_read_only = on")
              .ok());
  TerminateStoreConnections(*cluster, db);
  const v1::Submit refused = MakeSubmit(kG22, {kH41});
  v1::Frame frame;
  *frame.mutable_submit() = refused;
  g22.Send(frame);
  ExpectFailedTurnsUnanswered(b, g22);
  CHECK_FALSE(Stored(MessageIdOf(refused)));

  REQUIRE(cluster
              ->Exec("postgres", "ALTER DATABASE " + db +
                                     " RESET default_transaction_read_only")
              .ok());
  TerminateStoreConnections(*cluster, db);
  const v1::Frame again = g22.Submit(refused);
  REQUIRE(again.has_accepted());
  CHECK_FALSE(again.accepted().duplicate());
  CHECK(Stored(MessageIdOf(refused)));

  // A server restart is picked up at the next turn.
  REQUIRE(cluster->Restart().ok());
  REQUIRE(g22.Submit(MakeSubmit(kG22, {kH41})).has_accepted());
}

bool WaitUntilActive(Broker& broker, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!broker.active() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return broker.active();
}

TEST_CASE_METHOD(BrokerOnPostgres,
                 "a second broker on the database waits as a standby, says "
                 "so, and takes over with everything when the active one "
                 "stops",
                 "[broker][postgresql][failover]") {
  TempDir standby_dir;
  BrokerOptions standby_options = options;
  standby_options.data_dir = standby_dir.path() / "data";
  const v1::Submit submit = MakeSubmit(kG22, {kH41}, {"attachment bytes"});

  auto active = std::make_unique<TestBroker>(options);
  TestAgent g22(kG22, active->broker().zmq_endpoint());
  g22.Open();
  REQUIRE(g22.Submit(submit).has_accepted());

  TestBroker standby(standby_options);
  CHECK_FALSE(standby.broker().active());
  httplib::Client http(standby.broker().http_url());
  auto health = http.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 503);
  CHECK(health->body == "standby\n");
  auto status = http.Get("/v1/status");
  REQUIRE(status);
  const auto doc = nlohmann::json::parse(status->body);
  CHECK(doc.value("role", "") == "standby");
  CHECK(doc.value("active_broker", "").find(options.listen) !=
        std::string::npos);
  CHECK(standby.broker().metrics().Render().find(
            "docbus_broker_role{role=\"standby\"} 1") != std::string::npos);

  active.reset();  // stops: the lease is given up
  REQUIRE(WaitUntilActive(standby.broker(), std::chrono::seconds(10)));
  health = http.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->body == "active\n");
  CHECK(standby.broker().metrics().Render().find(
            "docbus_broker_role{role=\"active\"} 1") != std::string::npos);

  TestAgent h41(kH41, standby.broker().zmq_endpoint());
  h41.Open();
  const v1::Frame deliver = h41.Expect(v1::Frame::kDeliver);
  CHECK(deliver.deliver().document().document().header() ==
        submit.document().header());
}

}  // namespace
}  // namespace docbus::broker::test
