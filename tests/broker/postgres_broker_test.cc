// The broker on PostgreSQL (store.backend = "postgresql"), on a throwaway
// cluster the test starts itself: it accepts, keeps and delivers documents
// across its own restart; when the database refuses the turn's writes, the
// sender gets no answer and nothing is kept, and once the database takes
// writes again the resubmission is accepted as new; a server restart is
// survived without a broker restart.
#include <catch2/catch.hpp>

#include "tests/broker/broker_fixture.h"
#include "tests/support/pg_cluster.h"

namespace docbus::broker::test {
namespace {

using docbus::testing::PgCluster;

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
  REQUIRE(cluster->TerminateDatabaseBackends(db).ok());
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
  REQUIRE(cluster->TerminateDatabaseBackends(db).ok());
  const v1::Frame again = g22.Submit(refused);
  REQUIRE(again.has_accepted());
  CHECK_FALSE(again.accepted().duplicate());
  CHECK(Stored(MessageIdOf(refused)));

  // A server restart is picked up at the next turn.
  REQUIRE(cluster->Restart().ok());
  REQUIRE(g22.Submit(MakeSubmit(kG22, {kH41})).has_accepted());
}

}  // namespace
}  // namespace docbus::broker::test
