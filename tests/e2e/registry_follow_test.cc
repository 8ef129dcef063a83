// The signed registry on a running bus, the operator's way: `docbus agency
// …` on the CA folder, and nothing else -- no SIGHUP, no file copied to an
// agency. The broker notices pki/registry.signed, audits it, puts it in
// force and pushes it to every agent, which verifies it itself.
// - revoke: the broker closes the agency's session and refuses what it
//   sends; the other agents refuse documents to it at once.
// - disable then enable: documents queued for it stay queued, and arrive.
// - rotate: the old CURVE key is refused, the new one connects.
// - an older registry put in place is refused (broker and agent), once, and
//   the one in force stays.
// - each change is in `docbus audit replay`.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "bus/core/files.h"
#include "tests/e2e/e2e_support.h"

namespace docbus::e2e {
namespace {

bool AgentsAtSerial(local::Deployment& d,
                    const std::vector<std::string>& agencies, double serial) {
  for (const std::string& a : agencies) {
    if (AgentMetric(d, a, "docbus_agent_registry_serial") < serial) return false;
  }
  return true;
}

}  // namespace

TEST_CASE(
    "agency revoke, disable, enable and rotate reach every daemon by "
    "themselves, audited",
    "[e2e]") {
  local::DeploymentOptions options;
  options.signed_registry = true;
  options.retransmit_ms = 300;
  auto d = MakeDeployment({kG22, kH41, kH29}, options);
  REQUIRE(d->StartAll().ok());
  const std::string pki = d->pki().string();
  auto broker_serial = [&] {
    auto page = d->BrokerMetrics();
    return page.ok() ? MetricValue(*page, "docbus_broker_registry_serial")
                     : -1;
  };
  REQUIRE(local::Deployment::WaitUntil([&] { return broker_serial() > 0; },
                                       std::chrono::seconds(10)));
  // Runs `docbus agency <command>` and waits until the broker and the
  // `followers` have a newer registry in force than before it.
  auto change = [&](const std::string& command,
                    const std::vector<std::string>& followers) {
    const double before = broker_serial();
    int exit_code = -1;
    REQUIRE(d->RunDocbus("agency " + command, &exit_code).ok());
    REQUIRE(exit_code == 0);
    REQUIRE(local::Deployment::WaitUntil(
        [&] {
          return broker_serial() > before &&
                 AgentsAtSerial(*d, followers, broker_serial());
        },
        std::chrono::seconds(10)));
  };
  std::string attachment;
  auto warmup = d->Send(kG22, MakeDocument({kH41, kH29}, 1, 100, &attachment));
  REQUIRE(warmup.ok());
  REQUIRE(WaitForReceipts(*d, {{kG22, *warmup, {kH41, kH29}}},
                          std::chrono::seconds(30)));
  auto older = ReadFileLimited(d->pki() / "registry.signed", 16u << 20);
  REQUIRE(older.ok());
  int code = -1;

  // Disable H41: documents to it are refused, those queued before stay.
  auto queued = d->Send(kG22, MakeDocument({kH41}, 2, 100, &attachment));
  REQUIRE(queued.ok());
  REQUIRE(WaitForReceipts(*d, {{kG22, *queued, {kH41}}},
                          std::chrono::seconds(30)));
  REQUIRE(d->StopAgent(kH41).ok());
  auto waiting = d->Send(kG22, MakeDocument({kH41}, 3, 100, &attachment));
  REQUIRE(waiting.ok());
  change("disable --dir " + pki + " " + kH41, {kG22, kH29});
  auto to_disabled = d->Send(kH29, MakeDocument({kH41}, 4, 100, &attachment));
  REQUIRE_FALSE(to_disabled.ok());
  CHECK(to_disabled.status().message().find("disabled") != std::string::npos);
  REQUIRE(d->StartAgent(kH41).ok());  // its old key: refused while disabled

  // Enable: the document queued while it was disabled arrives.
  REQUIRE(d->RunDocbus("agency enable --dir " + pki + " " + kH41, &code).ok());
  REQUIRE(code == 0);
  CHECK(WaitForReceipts(*d, {{kG22, *waiting, {kH41}}},
                        std::chrono::seconds(30)));

  // Revoke H29: the others refuse to write to it at once; nothing it sends
  // is accepted.
  change("revoke --dir " + pki + " " + kH29, {kG22, kH41});
  auto to_revoked = d->Send(kG22, MakeDocument({kH29}, 5, 100, &attachment));
  REQUIRE_FALSE(to_revoked.ok());
  CHECK(to_revoked.status().message().find("revoked") != std::string::npos);
  // Its own agent hears nothing more from the broker (its session is
  // closed): what it sends is refused there and stays in its outbox.
  auto from_revoked = d->Send(kH29, MakeDocument({kG22}, 6, 100, &attachment));
  REQUIRE(from_revoked.ok());
  CHECK(local::Deployment::WaitUntil(
      [&] {
        return LinesContaining(d->dir() / ("agent-" + kH29 + ".log"),
                               "the broker refuses agency=" + kH29) >= 1;
      },
      std::chrono::seconds(10)));
  CHECK(StateAt(*d, kH29, *from_revoked) == "pending");
  CHECK(InboxCounts(*d, kG22).count(*from_revoked) == 0);
  CHECK(LinesContaining(d->broker_log(), "session closed: agency " + kH29) >= 1);

  // Rotate G22's CURVE key: its old key is refused, the new one connects.
  const std::filesystem::path keys = d->pki() / "agencies" / kG22;
  const std::filesystem::path fresh = d->dir() / "fresh-keys";
  const std::filesystem::path old = d->dir() / "old-keys";
  REQUIRE(d->RunDocbus("pki curve-keygen --out " + fresh.string(), &code).ok());
  REQUIRE(d->StopAgent(kG22).ok());
  std::filesystem::create_directories(old);
  for (const char* f : {"curve.public", "curve.secret"}) {
    std::filesystem::copy_file(keys / f, old / f);
  }
  change("rotate --dir " + pki + " " + kG22 + " --curve-public " +
             (fresh / "curve.public").string(),
         {kH41});
  auto put_keys = [&](const std::filesystem::path& from) {
    for (const char* f : {"curve.public", "curve.secret"}) {
      std::filesystem::copy_file(
          from / f, keys / f, std::filesystem::copy_options::overwrite_existing);
    }
  };
  put_keys(old);
  const double refused_before =
      BrokerCounter(*d, "docbus_broker_zap_refused_total");
  REQUIRE(d->StartAgent(kG22).ok());
  CHECK(local::Deployment::WaitUntil(
      [&] {
        return BrokerCounter(*d, "docbus_broker_zap_refused_total") >
               refused_before;
      },
      std::chrono::seconds(10)));
  REQUIRE(d->StopAgent(kG22).ok());
  put_keys(fresh);
  REQUIRE(d->StartAgent(kG22).ok());
  auto after_rotate = d->Send(kG22, MakeDocument({kH41}, 7, 100, &attachment));
  REQUIRE(after_rotate.ok());
  CHECK(WaitForReceipts(*d, {{kG22, *after_rotate, {kH41}}},
                        std::chrono::seconds(30)));

  // An older registry put in place: refused by the broker once; the agents
  // keep the one in force, and one restarted on it starts from its newer
  // copy and says so once.
  const double in_force = broker_serial();
  REQUIRE(WriteFileAtomically(d->pki() / "registry.signed", *older).ok());
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        auto page = d->BrokerMetrics();
        return page.ok() &&
               MetricValue(*page,
                           "docbus_broker_registry_refused_total{reason="
                           "\"stale\"}") == 1;
      },
      std::chrono::seconds(10)));
  CHECK(broker_serial() == in_force);
  REQUIRE(d->StopAgent(kH41).ok());
  REQUIRE(d->StartAgent(kH41).ok());
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        return AgentMetric(*d, kH41, "docbus_agent_registry_serial") ==
               in_force;
      },
      std::chrono::seconds(10)));
  CHECK(AgentMetric(*d, kH41,
                    "docbus_agent_registry_refused_total{reason=\"stale\"}") ==
        1);

  // Each change is in the broker's audit log.
  REQUIRE(d->StopAll().ok());
  auto replay =
      d->RunDocbus("audit replay '" + (d->broker_data() / "log").string() + "'",
                   &code);
  REQUIRE(replay.ok());
  INFO(*replay);
  CHECK(replay->find("DISABLED " + kH41) != std::string::npos);
  CHECK(replay->find("ENABLED " + kH41) != std::string::npos);
  CHECK(replay->find("REVOKED " + kH29) != std::string::npos);
  CHECK(replay->find("ROTATED " + kG22) != std::string::npos);
}

}  // namespace docbus::e2e
