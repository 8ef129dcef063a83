// The database's own failover: the PostgreSQL primary is killed (kill -9,
// as when its machine dies) while documents flow, and its synchronous
// replica is promoted. The broker, given both servers in a libpq multi-host
// DSN with target_session_attrs=read-write, finds the new primary by itself;
// nothing it acknowledged before the kill is lost, every document reaches
// its recipient once with its receipt, and the log verifies.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <tuple>
#include <vector>

#include "tests/e2e/e2e_support.h"
#include "tests/support/pg_replica_pair.h"

namespace docbus::e2e {
namespace {

TEST_CASE(
    "the PostgreSQL primary killed mid-load and its synchronous replica "
    "promoted: the broker finds the new primary and loses nothing",
    "[e2e][postgresql][failover]") {
  auto pair = testing::PgReplicaPair::Start();
  REQUIRE(pair.ok());
  auto db = (*pair)->CreateDatabase();
  REQUIRE(db.ok());
  local::DeploymentOptions options;
  options.store_backend = "postgresql";
  options.store_dsn = (*pair)->MultiHostDsn(*db);
  auto d = MakeDeployment({kG22, kH41}, options);
  REQUIRE(d->StartAll().ok());

  std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>
      sent;
  auto send = [&](int i) {
    std::string attachment;
    auto id = d->Send(kG22, MakeDocument({kH41}, i, 2000, &attachment));
    REQUIRE(id.ok());
    sent.emplace_back(kG22, *id, std::vector<std::string>{kH41});
  };
  for (int i = 1; i <= 30; ++i) send(i);
  // Everything so far accepted by the broker (on the primary) ...
  REQUIRE(WaitForReceipts(*d, sent, std::chrono::seconds(60)));
  for (int i = 31; i <= 40; ++i) send(i);
  // ... then the primary dies with documents in flight, and the replica
  // takes its place.
  REQUIRE((*pair)->KillPrimary().ok());
  for (int i = 41; i <= 50; ++i) send(i);
  REQUIRE((*pair)->Promote().ok());
  for (int i = 51; i <= 60; ++i) send(i);

  REQUIRE(WaitForReceipts(*d, sent, std::chrono::seconds(120)));
  const auto inbox = InboxCounts(*d, kH41);
  CHECK(inbox.size() == sent.size());
  for (const auto& [from, id, to] : sent) CHECK(inbox.at(id) == 1);
  // The promoted replica holds every document, those acknowledged on the
  // old primary included.
  auto stored = (*pair)->QueryInt(*db, "SELECT count(*) FROM documents");
  REQUIRE(stored.ok());
  CHECK(*stored == static_cast<int64_t>(sent.size()));

  const std::filesystem::path log = d->dir() / "broker.log";
  CHECK(LinesContaining(log, "lost the connection to PostgreSQL") >= 1);
  CHECK(LinesContaining(log, "reconnected to PostgreSQL") >= 1);
  REQUIRE(d->StopBroker().ok());
  CHECK(VerifyBrokerLog(*d) == 0);
}

}  // namespace
}  // namespace docbus::e2e
