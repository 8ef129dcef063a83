// A turn whose COMMIT fails is rolled back and sends no answer; nothing
// acknowledged is lost, the agent's retransmission is accepted as new, and
// the recipient gets the document exactly once. On both store backends,
// through a FaultyBrokerStore around the broker's store.
#include <catch2/catch.hpp>

#include "bus/store/faulty_broker_store.h"
#include "tests/broker/broker_fixture.h"
#include "tests/support/pg_cluster.h"

namespace docbus::broker::test {
namespace {

TEST_CASE(
    "a turn whose commit fails sends no answer and loses nothing; the "
    "retransmission is accepted and delivered once",
    "[broker][postgresql]") {
  const std::string backend =
      GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO("broker store " << backend);
  TempDir dir;
  BrokerOptions options = TestOptions(dir.path() / "data");
  if (backend == "postgresql") {
    auto cluster = docbus::testing::PgCluster::Shared();
    if (!cluster.ok()) FAIL("no PostgreSQL: " << cluster.status().ToString());
    auto dsn = (*cluster)->CreateDatabase();
    REQUIRE(dsn.ok());
    options.store_backend = "postgresql";
    options.store_dsn = *dsn;
  }
  store::FaultyBrokerStore* faulty = nullptr;
  options.wrap_store = [&](std::unique_ptr<store::BrokerStore> inner) {
    auto wrapped = std::make_unique<store::FaultyBrokerStore>(std::move(inner));
    faulty = wrapped.get();
    return std::unique_ptr<store::BrokerStore>(std::move(wrapped));
  };
  TestBroker b(options);
  TestAgent g22(kG22, b.broker().zmq_endpoint());
  g22.Open();
  REQUIRE(faulty != nullptr);

  faulty->FailNextCommit();
  const v1::Submit submit = MakeSubmit(kG22, {kH41}, {"attachment"});
  v1::Frame frame;
  *frame.mutable_submit() = submit;
  g22.Send(frame);
  ExpectFailedTurnsUnanswered(b, g22);

  const v1::Frame again = g22.Submit(submit);  // the agent retransmits
  REQUIRE(again.has_accepted());
  CHECK_FALSE(again.accepted().duplicate());

  TestAgent h41(kH41, b.broker().zmq_endpoint());
  h41.Open();
  const v1::Frame deliver = h41.Expect(v1::Frame::kDeliver);
  CHECK(deliver.deliver().document().document().header() ==
        submit.document().header());
  for (const v1::Frame& f : h41.Drain()) CHECK_FALSE(f.has_deliver());
}

}  // namespace
}  // namespace docbus::broker::test
