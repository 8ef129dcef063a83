// Crash tests: with documents in flight, a process is killed with SIGKILL at
// a named moment (bus/core/crash_point.h) or at a random moment, restarted,
// and every document whose message id the sender's system received must end
// up in the recipient's inbox exactly once, byte-identical, with its receipt
// back at the sender. Nothing acknowledged is lost.
//
// The random-moment test draws its kill times from a seed it prints at the
// start ("crash test seed: N") and in its failure message. To replay a
// failed run with the same kill times, set the seed:
//
//   DOCBUS_CRASH_SEED=N build/tests/e2e/e2e_test "the broker killed*"
//
// (or `DOCBUS_CRASH_SEED=N ctest --test-dir build -R 'killed with kill -9'`).
// The processes' own scheduling still varies from run to run.
//
// The broker's kills run with its store on SQLite and again on PostgreSQL
// (a fresh database of a throwaway cluster per test); afterwards the
// broker's published log must still pass `docbus audit verify`.
#include <catch2/catch.hpp>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>
#include <thread>

#include "tests/e2e/e2e_support.h"

namespace docbus::e2e {
namespace {

using Sent = std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>;

struct Scenario {
  std::string victim;       // "broker" or an agency id
  std::string crash_point;  // DOCBUS_CRASH_AT value
  std::string store = "sqlite";  // the broker's store backend
};

// Sends `count` documents from G22 to H41, tolerating a dead sender agent.
// Every fifth is large (1.5 MiB), so it travels in chunks.
void SendSome(local::Deployment& d, int first, int count, Sent& sent,
              std::map<std::string, std::string>& attachment_of) {
  for (int i = 0; i < count; ++i) {
    std::string attachment;
    const size_t size = (first + i) % 5 == 0 ? (size_t{3} << 20) / 2 : 1500;
    auto id = d.Send(kG22, MakeDocument({kH41}, first + i, size, &attachment));
    if (!id.ok()) continue;  // the caller never got an id: nothing was promised
    sent.emplace_back(kG22, *id, std::vector<std::string>{kH41});
    attachment_of[*id] = attachment;
  }
}

// `sender_killed`: a sender agent killed after committing a submission but
// before answering its caller still delivers it (it was durable), so the
// inbox may hold documents whose id the caller never saw — each exactly once.
void CheckNothingLost(local::Deployment& d, const Sent& sent,
                      const std::map<std::string, std::string>& attachment_of,
                      bool sender_killed = false) {
  REQUIRE(WaitForReceipts(d, sent, std::chrono::seconds(60)));
  auto inbox = InboxCounts(d, kH41);
  for (const auto& [from, id, to] : sent) {
    CHECK(inbox[id] == 1);
    CHECK(InboxAttachment(d, kH41, id) == attachment_of.at(id));
  }
  for (const auto& [id, count] : inbox) CHECK(count == 1);
  if (sender_killed) {
    CHECK(inbox.size() <= sent.size() + 1);
  } else {
    CHECK(inbox.size() == sent.size());
  }
  // The broker's published log still verifies after the kills.
  REQUIRE(d.StopBroker().ok());
  CHECK(VerifyBrokerLog(d) == 0);
}

// DOCBUS_CRASH_SEED when set (a run to replay), otherwise a fresh seed.
uint32_t CrashSeed() {
  const char* env = std::getenv("DOCBUS_CRASH_SEED");
  if (env == nullptr) return std::random_device{}();
  uint32_t seed = 0;
  const char* end = env + std::strlen(env);
  auto [at, error] = std::from_chars(env, end, seed);
  if (error != std::errc() || at != end || at == env) {
    FAIL("DOCBUS_CRASH_SEED=" << env << " is not a seed (0 to 4294967295)");
  }
  return seed;
}

}  // namespace

TEST_CASE("a process killed at a durability point loses nothing acknowledged",
          "[crash][postgresql]") {
  const Scenario scenario = GENERATE(
      Scenario{"broker", "broker.before_commit:4"},
      Scenario{"broker", "broker.after_commit:4"},
      Scenario{"broker", "broker.after_deliver:3"},
      Scenario{kH41, "agent.before_commit:3"},
      Scenario{kH41, "agent.after_commit:3"},
      Scenario{kG22, "agent.after_commit:8"},
      // The broker's durability points again, its store on PostgreSQL.
      Scenario{"broker", "broker.before_commit:4", "postgresql"},
      Scenario{"broker", "broker.after_commit:4", "postgresql"},
      Scenario{"broker", "broker.after_deliver:3", "postgresql"});
  INFO("victim " << scenario.victim << " at " << scenario.crash_point
                 << ", broker store " << scenario.store);
  const local::DeploymentOptions options = WithStore(scenario.store);
  auto d = MakeDeployment({kG22, kH41}, options);
  const std::map<std::string, std::string> crash{{"DOCBUS_CRASH_AT", scenario.crash_point}};
  REQUIRE(d->StartBroker(scenario.victim == "broker" ? crash : decltype(crash){}).ok());
  REQUIRE(d->StartAgent(kG22, scenario.victim == kG22 ? crash : decltype(crash){}).ok());
  REQUIRE(d->StartAgent(kH41, scenario.victim == kH41 ? crash : decltype(crash){}).ok());

  Sent sent;
  std::map<std::string, std::string> attachment_of;
  SendSome(*d, 1, 20, sent, attachment_of);
  const size_t before_crash = sent.size();
  // The crash point must really be reached: the victim dies by itself.
  const bool died = scenario.victim == "broker"
                        ? d->WaitBrokerExit(std::chrono::seconds(30))
                        : d->WaitAgentExit(scenario.victim, std::chrono::seconds(30));
  REQUIRE(died);
  SendSome(*d, 100, 5, sent, attachment_of);  // while it is down
  if (scenario.victim == "broker") {
    REQUIRE(d->StartBroker().ok());
  } else {
    REQUIRE(d->StartAgent(scenario.victim).ok());
  }
  SendSome(*d, 200, 5, sent, attachment_of);
  // The agents accept documents while the broker or the recipient is down;
  // a dead sender agent accepts none until it is back.
  CHECK(before_crash >= 1);
  CHECK(sent.size() >= before_crash + (scenario.victim == kG22 ? 5 : 10));
  CheckNothingLost(*d, sent, attachment_of, scenario.victim == kG22);
  if (scenario.store == "postgresql") CHECK(DocumentsInPostgres(options) >= 1);
}

TEST_CASE("the broker killed with kill -9 at random moments under load loses "
          "nothing acknowledged", "[crash][postgresql]") {
  const uint32_t seed = CrashSeed();
  std::cout << "crash test seed: " << seed
            << " (replay with DOCBUS_CRASH_SEED=" << seed << ")" << std::endl;
  INFO("crash test seed " << seed << " (replay with DOCBUS_CRASH_SEED=" << seed
                          << ")");
  const std::string backend =
      GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO("broker store " << backend);
  std::mt19937 random(seed);
  auto d = MakeDeployment({kG22, kH41}, WithStore(backend));
  REQUIRE(d->StartAll().ok());
  Sent sent;
  std::map<std::string, std::string> attachment_of;
  for (int round = 0; round < 3; ++round) {
    std::atomic<bool> stop{false};
    std::thread sender([&] {
      int n = 1000 * (round + 1);
      while (!stop) SendSome(*d, n++, 1, sent, attachment_of);
    });
    std::this_thread::sleep_for(
        std::chrono::milliseconds(200 + random() % 600));
    d->KillBroker();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    REQUIRE(d->StartBroker().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
    sender.join();
  }
  INFO(sent.size() << " documents sent");
  CHECK(sent.size() > 10);
  CheckNothingLost(*d, sent, attachment_of);
}

}  // namespace docbus::e2e
