// The national PKI changing under a running bus, the way an operator does
// it: `docbus pki issue` or `docbus pki revoke`, then SIGHUP to the broker and
// the agents; nobody restarts.
// - An agency that joins can be written to at once, and gets its documents
//   with receipts back.
// - A revoked agency's documents stay in its outbox (retransmitted, refused
//   each time), nothing reaches the recipient, its agent says why once, not
//   once per refusal, and the other agents refuse to write to it.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/e2e/e2e_support.h"

namespace docbus::e2e {
namespace {

// The value of `name{labels}` in the broker's /metrics (0 when absent).
double BrokerSample(local::Deployment& d, const std::string& series) {
  auto text = d.BrokerMetrics();
  if (!text.ok()) return -1;
  const size_t at = text->find("\n" + series + " ");
  return at == std::string::npos
             ? 0
             : std::stod(text->substr(at + series.size() + 2));
}

// Sends SIGHUP to `agency`'s agent and waits for its log to say it reloaded.
bool ReloadAgent(local::Deployment& d, const std::string& agency) {
  const std::filesystem::path log = d.dir() / ("agent-" + agency + ".log");
  const std::string reloaded = "registry and CRL reloaded";
  const int before = LinesContaining(log, reloaded);
  return kill(d.agent_pid(agency), SIGHUP) == 0 &&
         local::Deployment::WaitUntil(
             [&] { return LinesContaining(log, reloaded) > before; },
             std::chrono::seconds(10));
}

TEST_CASE(
    "an agency that joins a running bus is written to without restarting "
    "anyone",
    "[e2e]") {
  auto d = MakeDeployment({kG22, kH41});
  REQUIRE(d->StartAll().ok());
  std::string attachment;
  auto early = d->Send(kG22, MakeDocument({kH29}, 1, 100, &attachment));
  REQUIRE_FALSE(early.ok());
  CHECK(early.status().message().find("unknown_recipient") !=
        std::string::npos);

  int code = -1;
  REQUIRE(d->RunDocbus("pki issue --dir " + d->pki().string() + " --agency " +
                           kH29 + " --name 'Bộ Tư pháp'",
                       &code)
              .ok());
  REQUIRE(code == 0);
  REQUIRE(kill(d->broker_pid(), SIGHUP) == 0);
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        return BrokerSample(
                   *d, "docbus_broker_pki_reloads_total{result=\"ok\"}") == 1;
      },
      std::chrono::seconds(10)));
  REQUIRE(ReloadAgent(*d, kG22));
  std::filesystem::create_directories(d->agent_data(kH29));
  REQUIRE(d->StartAgent(kH29).ok());
  auto sent = d->Send(kG22, MakeDocument({kH29, kH41}, 2, 4096, &attachment));
  REQUIRE(sent.ok());
  REQUIRE(WaitForReceipts(*d, {{kG22, *sent, {kH29, kH41}}},
                          std::chrono::seconds(30)));
  CHECK(InboxAttachment(*d, kH29, *sent) == attachment);
}

TEST_CASE(
    "an agency revoked on a running bus: its documents stay pending and "
    "undelivered, and its agent says so once",
    "[e2e]") {
  local::DeploymentOptions options;
  options.retransmit_ms = 200;  // several refused retransmissions in a second
  auto d = MakeDeployment({kG22, kH41, kH29}, options);
  REQUIRE(d->StartAll().ok());
  std::string attachment;
  auto before = d->Send(kG22, MakeDocument({kH41}, 1, 100, &attachment));
  REQUIRE(before.ok());
  REQUIRE(
      WaitForReceipts(*d, {{kG22, *before, {kH41}}}, std::chrono::seconds(30)));

  int code = -1;
  REQUIRE(
      d->RunDocbus(
           "pki revoke --dir " + d->pki().string() + " --agency " + kG22, &code)
          .ok());
  REQUIRE(code == 0);
  REQUIRE(kill(d->broker_pid(), SIGHUP) == 0);
  const std::string reloaded = "docbus_broker_pki_reloads_total{result=\"ok\"}";
  REQUIRE(local::Deployment::WaitUntil(
      [&] { return BrokerSample(*d, reloaded) == 1; },
      std::chrono::seconds(10)));

  auto after = d->Send(kG22, MakeDocument({kH41}, 2, 100, &attachment));
  REQUIRE(after.ok());  // the agent keeps it in its outbox
  const std::string refused =
      "docbus_broker_frame_errors_total{reason=\"agency_revoked\"}";
  REQUIRE(local::Deployment::WaitUntil(
      [&] { return BrokerSample(*d, refused) >= 3; },
      std::chrono::seconds(20)));
  CHECK(StateAt(*d, kG22, *after) == "pending");
  CHECK(InboxCounts(*d, kH41).count(*after) == 0);
  CHECK(LinesContaining(d->dir() / ("agent-" + kG22 + ".log"),
                        "the broker refuses agency=" + kG22 + ": revoked") ==
        1);
  // Its correspondents' agents, once reloaded, refuse to write to it.
  REQUIRE(ReloadAgent(*d, kH41));
  auto to_revoked = d->Send(kH41, MakeDocument({kG22}, 4, 100, &attachment));
  REQUIRE_FALSE(to_revoked.ok());
  CHECK(to_revoked.status().message().find("agency_revoked") !=
        std::string::npos);
  // The others go on as before.
  auto other = d->Send(kH41, MakeDocument({kH29}, 3, 100, &attachment));
  REQUIRE(other.ok());
  CHECK(
      WaitForReceipts(*d, {{kH41, *other, {kH29}}}, std::chrono::seconds(30)));
}

}  // namespace
}  // namespace docbus::e2e
