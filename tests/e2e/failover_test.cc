// Broker failover: two broker processes on one PostgreSQL database, one
// active and one standby, three agencies whose agents list both brokers.
// The active broker is killed (kill -9) or frozen (SIGSTOP) while documents
// flow through the agents' HTTP API; the standby must take over by itself,
// and afterwards every document an agent acknowledged is in its recipient's
// inbox exactly once, byte-identical, with its receipts back; no agent saw a
// broker checkpoint inconsistent with the one it held; no tree size has two
// checkpoint roots (stored or published); and `docbus audit verify` passes
// on the published log of the broker that is active at the end.
//
// Each case prints its takeover times: from the kill (or SIGSTOP) to the
// standby's /healthz answering 200, and to the first document it accepted.
// Those are figures, never assertions; a takeover that has not happened
// after a minute and a half is a failure.
//
// The long case (ten kills of whichever broker is active, 2,000 documents
// or more) is hidden from the default run:
//
//   build/tests/e2e/e2e_test "[soak]"
//
// The database's own failover is database_failover_test.cc; where its
// two-broker case goes is noted at the end of this file.
#include <catch2/catch.hpp>

#include <iostream>

#include "tests/e2e/failover_support.h"

namespace docbus::e2e {
namespace {

using std::chrono::seconds;

const std::vector<std::string> kAgencies{kG22, kH41, kH29};
constexpr auto kTakeoverLimit = seconds(90);

struct TwoBrokers {
  local::DeploymentOptions options;
  std::unique_ptr<local::Deployment> d;
};

bool IsStandby(local::Deployment& d, int broker) {
  auto health = d.BrokerHealth(broker);
  return health.ok() && health->status == 503 &&
         health->body.starts_with("standby");
}

// Two brokers on the PostgreSQL database of `options` (a fresh one of the
// shared test cluster by default) and every agency's agent: broker 0 active,
// broker 1 a standby that says so on /healthz and /v1/status.
TwoBrokers StartTwoBrokers(local::DeploymentOptions options = {}) {
  options.brokers = 2;
  if (options.store_dsn.empty()) options = WithStore("postgresql", options);
  TwoBrokers bus{options, MakeDeployment(kAgencies, options)};
  local::Deployment& d = *bus.d;
  const Status started = d.StartAll();
  INFO(started.ToString());
  REQUIRE(started.ok());
  REQUIRE(d.ActiveBroker() == 0);
  CHECK(IsStandby(d, 1));
  auto status = d.BrokerStatus(1);
  REQUIRE(status.ok());
  CHECK(status->value("role", "") == "standby");
  auto active = d.BrokerStatus(0);
  REQUIRE(active.ok());
  CHECK(active->value("role", "") == "active");
  return bus;
}

// Waits until broker `broker` has accepted at least `count` documents.
bool WaitForAccepted(local::Deployment& d, int broker, double count) {
  return local::Deployment::WaitUntil(
      [&] {
        return BrokerCounter(d, "docbus_broker_accepted_total", broker) >=
               count;
      },
      seconds(60));
}

std::map<std::string, double> CheckpointSizes(local::Deployment& d) {
  std::map<std::string, double> sizes;
  for (const std::string& agency : kAgencies) {
    sizes[agency] = AgentMetric(d, agency, "docbus_agent_checkpoint_size");
  }
  return sizes;
}

void PrintTakeover(const std::string& what, const TakeoverWatch& watch) {
  std::cout << "failover (" << what << "): broker " << watch.new_active()
            << " active after " << watch.seconds_to_active()
            << " s, first document accepted after " << watch.seconds_to_accept()
            << " s" << std::endl;
}

// What every case checks at the end, the brokers still running: delivery,
// agents' checkpoints, stored and published checkpoints; then, everything
// stopped, the log of the broker active at the end verifies.
void CheckAfterFailover(TwoBrokers& bus, FailoverLoad& load, int active) {
  local::Deployment& d = *bus.d;
  INFO(load.documents().size()
       << " documents acknowledged, " << load.failed()
       << " sends unanswered; see " << d.dir().string());
  CheckDeliveredOnce(d, kAgencies, load.documents(), load.failed());
  CheckAgentsSawNoFork(d, kAgencies);
  CHECK(CheckNoForkedCheckpoints(d, bus.options.store_dsn) > 0);
  CHECK(StoredDocuments(bus.options.store_dsn) >=
        static_cast<int64_t>(load.documents().size()));
  REQUIRE(d.StopAll().ok());
  CHECK(VerifyBrokerLog(d, active) == 0);
}

}  // namespace

TEST_CASE(
    "the standby takes over when the active broker is killed with kill -9 "
    "under load, and nothing acknowledged is lost or doubled",
    "[e2e][postgresql][failover]") {
  TwoBrokers bus = StartTwoBrokers();
  local::Deployment& d = *bus.d;
  FailoverLoad load(d, kAgencies);
  load.Start();
  REQUIRE(load.WaitForAcknowledged(30, seconds(60)));
  REQUIRE(WaitForAccepted(d, 0, 10));
  const std::map<std::string, double> checkpoint_at_kill = CheckpointSizes(d);

  TakeoverWatch watch(d, 0);
  d.KillBroker(0);
  const bool took_over = watch.Wait(kTakeoverLimit);
  PrintTakeover("kill -9", watch);
  REQUIRE(took_over);
  CHECK(watch.new_active() == 1);
  REQUIRE(load.WaitForAcknowledged(load.acknowledged() + 30, seconds(60)));

  // The killed broker comes back as a standby of the new active.
  REQUIRE(d.StartBroker(0).ok());
  CHECK(local::Deployment::WaitUntil([&] { return IsStandby(d, 0); },
                                     seconds(30)));
  CHECK(d.ActiveBroker() == 1);
  // An operator asks both: each one's role, then the active one's queues.
  const std::string both = "status --broker " + d.broker_data(0).string() +
                           "," + d.broker_data(1).string();
  int code = -1;
  auto shown = d.RunDocbus(both, &code);
  REQUIRE(shown.ok());
  INFO(*shown);
  CHECK(code == 0);
  CHECK(shown->find("standby") != std::string::npos);
  CHECK(shown->find("active (epoch") != std::string::npos);
  load.Stop();

  // Every agent took a checkpoint of the new active's log beyond the one it
  // held at the kill; it checked the consistency proof itself.
  CHECK(local::Deployment::WaitUntil(
      [&] {
        const auto now = CheckpointSizes(d);
        for (const auto& [agency, size] : checkpoint_at_kill) {
          if (now.at(agency) <= size) return false;
        }
        return true;
      },
      seconds(60)));
  CheckAfterFailover(bus, load, 1);
}

TEST_CASE(
    "a frozen active broker (SIGSTOP) is replaced by the standby, and when it "
    "wakes it steps down: no document twice, no checkpoint forked",
    "[e2e][postgresql][failover]") {
  TwoBrokers bus = StartTwoBrokers();
  local::Deployment& d = *bus.d;
  FailoverLoad load(d, kAgencies);
  load.Start();
  REQUIRE(load.WaitForAcknowledged(30, seconds(60)));
  REQUIRE(WaitForAccepted(d, 0, 10));

  TakeoverWatch watch(d, 0);
  d.PauseBroker(0);
  const bool took_over = watch.Wait(kTakeoverLimit);
  PrintTakeover("SIGSTOP", watch);
  if (!took_over) d.ResumeBroker(0);
  REQUIRE(took_over);
  // The new active accepts documents while the old one is still frozen.
  REQUIRE(load.WaitForAcknowledged(load.acknowledged() + 30, seconds(60)));
  REQUIRE(WaitForAccepted(d, 1, 10));

  d.ResumeBroker(0);
  const auto woke = std::chrono::steady_clock::now();
  // The woken broker finds it lost the lease, says so, and is a standby.
  const bool stepped_down = local::Deployment::WaitUntil(
      [&] { return LinesContaining(d.broker_log(0), "stepping down") >= 1; },
      seconds(60));
  if (stepped_down) {
    std::cout << "failover (SIGSTOP): the old active stepped down "
              << std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - woke)
                     .count()
              << " s after SIGCONT" << std::endl;
  }
  CHECK(stepped_down);
  CHECK(local::Deployment::WaitUntil([&] { return IsStandby(d, 0); },
                                     seconds(30)));
  CHECK(BrokerCounter(d, "docbus_broker_step_downs_total", 0) == 1);
  CHECK(d.ActiveBroker() == 1);
  REQUIRE(load.WaitForAcknowledged(load.acknowledged() + 30, seconds(60)));
  load.Stop();
  CheckAfterFailover(bus, load, 1);
}

TEST_CASE(
    "soak: ten kills of whichever broker is active during 2,000 documents, "
    "each delivered exactly once",
    "[e2e][postgresql][failover][soak][.]") {
  constexpr int kKills = 10;
  constexpr size_t kDocuments = 2000;
  TwoBrokers bus = StartTwoBrokers();
  local::Deployment& d = *bus.d;
  FailoverLoad load(d, kAgencies);
  load.Start();
  int active = 0;
  std::vector<double> to_active, to_accept;
  for (int kill = 1; kill <= kKills; ++kill) {
    // Documents flow through each active before it is killed.
    REQUIRE(load.WaitForAcknowledged(load.acknowledged() + kDocuments / kKills,
                                     seconds(300)));
    TakeoverWatch watch(d, active);
    d.KillBroker(active);
    const bool took_over = watch.Wait(kTakeoverLimit);
    PrintTakeover("soak kill " + std::to_string(kill), watch);
    REQUIRE(took_over);
    to_active.push_back(watch.seconds_to_active());
    to_accept.push_back(watch.seconds_to_accept());
    // The killed one comes back, so there is always a standby.
    REQUIRE(d.StartBroker(active).ok());
    active = watch.new_active();
  }
  REQUIRE(load.WaitForAcknowledged(kDocuments, seconds(300)));
  load.Stop();
  std::cout << "failover soak: " << load.documents().size() << " documents, "
            << kKills << " kills; takeover to /healthz 200 p50 "
            << Quantile(to_active, 0.5) << " s, max " << Quantile(to_active, 1)
            << " s; to the first document accepted p50 "
            << Quantile(to_accept, 0.5) << " s, max " << Quantile(to_accept, 1)
            << " s" << std::endl;
  CheckAfterFailover(bus, load, active);
}

// The database's own failover (the primary killed, its replica promoted)
// is database_failover_test.cc, with one broker. Two brokers on a
// PgReplicaPair go here: StartTwoBrokers with options.store_dsn set to the
// pair's MultiHostDsn, the primary killed under load (with or without the
// active broker), then CheckAfterFailover, which reads the stored
// checkpoints through that same DSN.

}  // namespace docbus::e2e
