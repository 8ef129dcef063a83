// End to end through real processes on loopback: a broker and three agency
// agents, driven through the agents' HTTP API as agency systems drive them.
// The first exchange runs on a broker backed by SQLite and again on one
// backed by PostgreSQL (a throwaway cluster, tests/support/pg_cluster.h).
#include <catch2/catch.hpp>

#include "tests/e2e/e2e_support.h"

namespace docbus::e2e {
namespace {

using Sent = std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>;

}  // namespace

TEST_CASE("three agencies exchange documents, one-to-many included, each "
          "arriving exactly once, byte-identical, with a receipt back",
          "[e2e][postgresql]") {
  // The same exchange on each broker store backend.
  const std::string backend =
      GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO("broker store " << backend);
  const local::DeploymentOptions options = WithStore(backend);
  auto d = MakeDeployment({kG22, kH41, kH29}, options);
  REQUIRE(d->StartAll().ok());

  const std::vector<std::pair<std::string, std::vector<std::string>>> routes{
      {kG22, {kH41, kH29}}, {kH41, {kG22}}, {kH29, {kG22, kH41}}, {kG22, {kH41}}};
  Sent sent;
  std::map<std::string, std::string> attachment_of;
  int number = 1;
  for (int round = 0; round < 5; ++round) {
    for (const auto& [from, to] : routes) {
      std::string attachment;
      auto id = d->Send(from, MakeDocument(to, number++, 3000 + round * 7000, &attachment));
      REQUIRE(id.ok());
      sent.emplace_back(from, *id, to);
      attachment_of[*id] = attachment;
    }
  }
  REQUIRE(WaitForReceipts(*d, sent, std::chrono::seconds(60)));

  std::map<std::string, std::map<std::string, int>> inbox;
  for (const auto& agency : {kG22, kH41, kH29}) inbox[agency] = InboxCounts(*d, agency);
  size_t expected_total = 0;
  for (const auto& [from, id, to] : sent) {
    CHECK(StateAt(*d, from, id) == "accepted");
    for (const auto& recipient : to) {
      ++expected_total;
      CHECK(inbox[recipient][id] == 1);
      CHECK(InboxAttachment(*d, recipient, id) == attachment_of[id]);
    }
    for (const auto& agency : {kG22, kH41, kH29}) {
      if (std::find(to.begin(), to.end(), agency) == to.end()) {
        CHECK(inbox[agency].count(id) == 0);
      }
    }
  }
  size_t total = 0;
  for (const auto& [agency, counts] : inbox) total += counts.size();
  CHECK(total == expected_total);
  if (backend == "postgresql") {
    CHECK(DocumentsInPostgres(options) == static_cast<int64_t>(sent.size()));
  }

  // The auditor's view of the same run: the published log verifies, replays
  // every document from submit to receipt, and agrees with each agency's log.
  REQUIRE(d->StopAll().ok());
  int code = -1;
  const std::string log = "'" + (d->broker_data() / "log").string() + "'";
  const std::string vkey = " --vkey '" + (d->pki() / "broker/log.vkey").string() + "'";
  auto verify = d->RunDocbus("audit verify " + log + vkey, &code);
  REQUIRE(verify.ok());
  CHECK(code == 0);
  auto replay = d->RunDocbus("audit replay --json " + log, &code);
  REQUIRE(replay.ok());
  CHECK(code == 0);
  for (const auto& [from, id, to] : sent) CHECK(replay->find(id) != std::string::npos);
  for (const auto& agency : {kG22, kH41, kH29}) {
    auto diff = d->RunDocbus("audit diff " + log + " '" +
                                 (d->agent_data(agency) / "log").string() +
                                 "' --agency " + agency,
                             &code);
    REQUIRE(diff.ok());
    INFO(*diff);
    CHECK(code == 0);
  }
}

TEST_CASE("an offline recipient receives everything queued for it when it "
          "starts again", "[e2e]") {
  auto d = MakeDeployment({kG22, kH41});
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kG22).ok());
  Sent sent;
  for (int i = 0; i < 30; ++i) {
    std::string attachment;
    auto id = d->Send(kG22, MakeDocument({kH41}, i + 1, 2000, &attachment));
    REQUIRE(id.ok());
    sent.emplace_back(kG22, *id, std::vector<std::string>{kH41});
  }
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        for (const auto& [from, id, to] : sent) {
          if (StateAt(*d, from, id) != "accepted") return false;
        }
        return true;
      },
      std::chrono::seconds(30)));
  CHECK(ReceiptsAt(*d, kG22, std::get<1>(sent.front())).empty());

  REQUIRE(d->StartAgent(kH41).ok());
  REQUIRE(WaitForReceipts(*d, sent, std::chrono::seconds(60)));
  auto inbox = InboxCounts(*d, kH41);
  CHECK(inbox.size() == sent.size());
  for (const auto& [from, id, to] : sent) CHECK(inbox[id] == 1);
}

TEST_CASE("a document that expires undelivered becomes a dead-letter notice "
          "to its sender and is never delivered", "[e2e]") {
  auto d = MakeDeployment({kG22, kH41});
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kG22).ok());
  std::string attachment;
  nlohmann::json doc = MakeDocument({kH41}, 1, 100, &attachment);
  doc["expires_in_s"] = 1;
  auto id = d->Send(kG22, doc);
  REQUIRE(id.ok());
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        auto view = d->Get(kG22, "/v1/documents/" + *id);
        if (!view.ok()) return false;
        for (const auto& r : view->value("dead_letters", nlohmann::json::array())) {
          if (r == kH41) return true;
        }
        return false;
      },
      std::chrono::seconds(30)));

  REQUIRE(d->StartAgent(kH41).ok());
  // A later document still arrives, and the expired one never does.
  auto later = d->Send(kG22, MakeDocument({kH41}, 2, 100, &attachment));
  REQUIRE(later.ok());
  REQUIRE(WaitForReceipts(*d, {{kG22, *later, {kH41}}}, std::chrono::seconds(30)));
  auto inbox = InboxCounts(*d, kH41);
  CHECK(inbox.count(*id) == 0);
  CHECK(inbox[*later] == 1);
}


TEST_CASE("large documents travel in chunks and arrive byte-identical at "
          "each recipient, with receipts, also after the recipient was offline",
          "[e2e][chunks]") {
  auto d = MakeDeployment({kG22, kH41, kH29});
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kG22).ok());
  REQUIRE(d->StartAgent(kH29).ok());
  Sent sent;
  std::map<std::string, std::string> attachment_of;
  for (int i = 0; i < 3; ++i) {
    std::string attachment;
    const std::vector<std::string> to{kH41, kH29};
    auto id = d->Send(kG22, MakeDocument(to, i + 1, (5 << 20) / 2 + i * 1000,
                                         &attachment));
    REQUIRE(id.ok());
    sent.emplace_back(kG22, *id, to);
    attachment_of[*id] = attachment;
  }
  REQUIRE(d->StartAgent(kH41).ok());
  REQUIRE(WaitForReceipts(*d, sent, std::chrono::seconds(120)));
  for (const auto& agency : {kH41, kH29}) {
    auto inbox = InboxCounts(*d, agency);
    CHECK(inbox.size() == sent.size());
    for (const auto& [from, id, to] : sent) {
      CHECK(inbox[id] == 1);
      CHECK(InboxAttachment(*d, agency, id) == attachment_of[id]);
    }
  }
  // In chunks, both ways: three 1 MiB pieces of each attachment went up,
  // and came down to each of the two recipients.
  CHECK(BrokerCounter(*d, "docbus_broker_chunks_stored_total") >= 3 * 3);
  CHECK(BrokerCounter(*d, "docbus_broker_chunks_sent_total") >= 3 * 3 * 2);
}

}  // namespace docbus::e2e
