// The PostgreSQL server restarts (pg_ctl restart -m fast) while documents
// flow: the broker reconnects by itself, the turns cut short are retried by
// the agents' retransmissions, nothing acknowledged is lost or delivered
// twice, and the broker's log says what happened once.
#include <catch2/catch.hpp>

#include "tests/e2e/e2e_support.h"
#include "tests/support/pg_cluster.h"

namespace docbus::e2e {
namespace {

TEST_CASE(
    "a PostgreSQL restart under load loses nothing, and the broker "
    "says so once",
    "[e2e][postgresql]") {
  auto d = MakeDeployment({kG22, kH41}, WithStore("postgresql"));
  REQUIRE(d->StartAll().ok());
  auto cluster = testing::PgCluster::Shared();
  REQUIRE(cluster.ok());

  std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>
      sent;
  for (int i = 1; i <= 40; ++i) {
    if (i == 15) REQUIRE((*cluster)->Restart().ok());
    std::string attachment;
    auto id = d->Send(kG22, MakeDocument({kH41}, i, 2000, &attachment));
    REQUIRE(id.ok());
    sent.emplace_back(kG22, *id, std::vector<std::string>{kH41});
  }
  REQUIRE(WaitForReceipts(*d, sent, std::chrono::seconds(120)));
  const auto inbox = InboxCounts(*d, kH41);
  CHECK(inbox.size() == sent.size());
  for (const auto& [from, id, to] : sent) CHECK(inbox.at(id) == 1);

  const std::filesystem::path log = d->dir() / "broker.log";
  CHECK(LinesContaining(log, "lost the connection to PostgreSQL") == 1);
  CHECK(LinesContaining(log, "reconnected to PostgreSQL") == 1);
  // The restart ended the lease's session too. Alone on the database, the
  // broker took the lease again at once (no other broker active meanwhile)
  // or, the server still down, stepped down and then took over again.
  // Noticed at the lease's next heartbeat, which may come after the last
  // receipt.
  CHECK(local::Deployment::WaitUntil(
      [&] {
        return LinesContaining(log, "took the broker lease again") +
                   LinesContaining(log, "this broker is now the active one") >=
               2;
      },
      std::chrono::seconds(20)));
  CHECK(LinesContaining(log, "lost the broker lease") == 1);
  const int renewed = LinesContaining(log, "took the broker lease again");
  const int stepped_down = LinesContaining(log, "stepping down to standby");
  CHECK(renewed + stepped_down == 1);
  CHECK(LinesContaining(log, "this broker is now the active one") ==
        1 + stepped_down);
  REQUIRE(d->StopBroker().ok());
  CHECK(VerifyBrokerLog(*d) == 0);
}

}  // namespace
}  // namespace docbus::e2e
