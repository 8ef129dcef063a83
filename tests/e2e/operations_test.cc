// What an operator relies on, through real daemons on loopback: /metrics
// that Prometheus' own checker accepts, with every counter exported from
// start; a deployment made the quickstart's way survives a broker restart
// without anyone touching the agents; and an agent that cannot reach its
// broker says so once, in its log, its /healthz, its metrics and on each
// pending document.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "bus/core/files.h"
#include "tests/e2e/e2e_support.h"
#include "tests/support/shell.h"

namespace docbus::e2e {
namespace {

namespace fs = std::filesystem;
using testing::RunShell;
using Sent =
    std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>;

// `promtool check metrics` on `text`: "" when it has nothing to say, else
// its complaints. Fails the test when promtool is not installed
// (tools/install-deps.sh installs it with the prometheus package).
std::string PromtoolComplaints(const std::string& text, const fs::path& dir) {
  std::string where;
  if (RunShell("command -v promtool", &where) != 0) {
    FAIL("promtool not found: install the Debian package prometheus "
         "(tools/install-deps.sh)");
  }
  const fs::path file = dir / "metrics.txt";
  std::ofstream(file) << text;
  std::string complaints;
  const int code =
      RunShell("promtool check metrics < '" + file.string() + "'", &complaints);
  if (code != 0 && complaints.empty()) complaints = "exit " + std::to_string(code);
  return complaints;
}

// Counter families in `text` with no sample at all.
std::set<std::string> CountersWithoutSample(const std::string& text) {
  std::set<std::string> counters, sampled;
  std::istringstream lines(text);
  std::string line;
  static const std::regex kType("^# TYPE (\\S+) counter$");
  static const std::regex kSample("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*\\})? .*");
  std::smatch m;
  while (std::getline(lines, line)) {
    if (std::regex_match(line, m, kType)) counters.insert(m[1]);
    if (line[0] != '#' && std::regex_match(line, m, kSample)) sampled.insert(m[1]);
  }
  std::set<std::string> missing;
  for (const auto& c : counters) {
    if (!sampled.contains(c)) missing.insert(c);
  }
  return missing;
}

// An agent metric's value ("" labels), or -1.
double AgentGauge(local::Deployment& d, const std::string& agency,
                  const std::string& name) {
  auto m = d.AgentHttp(agency, "/metrics");
  if (!m.ok() || m->status != 200) return -1;
  const size_t at = m->body.find("\n" + name + " ");
  return at == std::string::npos
             ? -1
             : std::atof(m->body.c_str() + at + name.size() + 2);
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

std::string ReadLog(const fs::path& file) {
  auto text = ReadFileLimited(file, 64 << 20);
  return text.ok() ? *text : "";
}

}  // namespace

TEST_CASE("promtool accepts the broker's and the agent's /metrics, every "
          "counter at 0 from start",
          "[e2e][metrics]") {
  auto d = MakeDeployment({kG22});
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kG22).ok());
  REQUIRE(local::Deployment::WaitUntil(
      [&] { return AgentGauge(*d, kG22, "docbus_agent_connected") == 1; },
      std::chrono::seconds(30)));

  auto broker = d->BrokerMetrics();
  REQUIRE(broker.ok());
  CHECK(PromtoolComplaints(*broker, d->dir()) == "");
  // Nothing was sent yet: the counters are there, at 0, so that the first
  // document (or failure) after a restart shows in rate() and increase().
  CHECK_THAT(*broker, Catch::Contains("\ndocbus_broker_accepted_total 0\n"));
  CHECK_THAT(*broker, Catch::Contains("\ndocbus_broker_store_failures_total 0\n"));
  CHECK_THAT(*broker, Catch::Contains(
                          "\ndocbus_broker_pki_reloads_total{result=\"failed\"} 0\n"));
  CHECK_THAT(*broker, Catch::Contains("# TYPE docbus_broker_zap_refused_total counter\n"));
  CHECK_THAT(*broker, Catch::Contains("le=\"0.0005\""));
  // Only families labelled by an open set (reasons) wait for their first
  // event.
  const std::set<std::string> broker_open{"docbus_broker_rejected_total",
                                          "docbus_broker_expired_total",
                                          "docbus_broker_frame_errors_total"};
  for (const auto& name : CountersWithoutSample(*broker)) {
    CHECK(broker_open.contains(name));
  }

  auto agent = d->AgentHttp(kG22, "/metrics");
  REQUIRE(agent.ok());
  REQUIRE(agent->status == 200);
  CHECK(PromtoolComplaints(agent->body, d->dir()) == "");
  CHECK_THAT(agent->body, Catch::Contains("\ndocbus_agent_accepted_total 0\n"));
  CHECK_THAT(agent->body, Catch::Contains("\ndocbus_agent_store_errors_total 0\n"));
  CHECK_THAT(agent->body, Catch::Contains("\ndocbus_agent_broker_offline 0\n"));
  const std::set<std::string> agent_open{
      "docbus_agent_rejected_total",         "docbus_agent_submit_refused_total",
      "docbus_agent_refused_total",          "docbus_agent_broker_errors_total",
      "docbus_agent_checkpoint_refused_total", "docbus_agent_api_requests_total",
      "docbus_agent_api_refused_total",      "docbus_agent_forged_cosignatures_total"};
  for (const auto& name : CountersWithoutSample(agent->body)) {
    CHECK(agent_open.contains(name));
  }
}

// The docbus_* metric names the shipped alerting rules use.
std::set<std::string> MetricsTheAlertsUse() {
  auto rules = ReadFileLimited(
      fs::path(DOCBUS_SOURCE_DIR) / "tools/packaging/docbus-alerts.yml", 1 << 20);
  REQUIRE(rules.ok());
  std::set<std::string> names;
  static const std::regex kName("docbus_[a-z_]+");
  for (auto it = std::sregex_iterator(rules->begin(), rules->end(), kName);
       it != std::sregex_iterator(); ++it) {
    names.insert(it->str());
  }
  return names;
}

TEST_CASE("every metric the shipped alerts use is served, with the expiry "
          "dates, the free space and each agency's connection; docbus "
          "status shows them",
          "[e2e][metrics]") {
  auto d = MakeDeployment({kG22, kH41});
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kG22).ok());  // H41 registered, never started
  std::string attachment;
  REQUIRE(d->Send(kG22, MakeDocument({kH41}, 1, 100, &attachment)).ok());
  // What DocbusAgencyOfflineWithQueue fires on: H41 offline, one queued.
  const std::string of_h41 = "{agency=\"" + kH41 + "\"}";
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        auto m = d->BrokerMetrics();
        return m.ok() &&
               MetricValue(*m, "docbus_broker_agency_connected{agency=\"" + kG22 +
                              "\"}") == 1 &&
               MetricValue(*m, "docbus_broker_queue_depth" + of_h41) == 1;
      },
      std::chrono::seconds(30)));
  auto broker = d->BrokerMetrics();
  REQUIRE(broker.ok());
  auto agent = d->AgentHttp(kG22, "/metrics");
  REQUIRE(agent.ok());
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        agent = d->AgentHttp(kG22, "/metrics");
        return agent.ok() && MetricValue(agent->body, "docbus_agent_data_size_bytes") > 0;
      },
      std::chrono::seconds(30)));

  const std::set<std::string> used = MetricsTheAlertsUse();
  CHECK(used.size() >= 12);
  for (const std::string& name : used) {
    INFO(name);
    const std::string family = "# TYPE " + name + " ";
    const bool served = Occurrences(*broker, family) > 0 ||
                        Occurrences(agent->body, family) > 0;
    CHECK(served);
  }

  CHECK(MetricValue(*broker, "docbus_broker_agency_connected" + of_h41) == 0);
  CHECK(MetricValue(*broker, "docbus_broker_oldest_undelivered_seconds" + of_h41) >= 0);
  const double now_s = static_cast<double>(std::time(nullptr));
  const double cert = MetricValue(
      *broker, "docbus_broker_certificate_not_after_timestamp_seconds{subject=\"" +
                   kH41 + "\"}");
  CHECK(cert > now_s);
  CHECK(MetricValue(*broker, "docbus_broker_crl_next_update_timestamp_seconds") > now_s);
  CHECK(MetricValue(*broker, "docbus_broker_data_size_bytes") > 0);
  CHECK(MetricValue(*broker, "docbus_broker_data_free_bytes") > 0);
  CHECK(MetricValue(agent->body,
               "docbus_agent_certificate_not_after_timestamp_seconds{subject=\"" +
                   kG22 + "\"}") > now_s);
  CHECK(MetricValue(agent->body, "docbus_agent_crl_next_update_timestamp_seconds") > now_s);

  int code = -1;
  auto status = d->RunDocbus("status --broker '" + d->broker_data(0).string() + "'",
                             &code);
  REQUIRE(status.ok());
  INFO(*status);
  CHECK(code == 0);
  CHECK_THAT(*status, Catch::Contains("pki: root until 20"));
  CHECK_THAT(*status, Catch::Contains("CRL next update 20"));
  CHECK_THAT(*status, Catch::Contains("data folder: "));
}

TEST_CASE("a deployment made the quickstart's way survives a broker restart: "
          "the agents reconnect and everything pending is delivered",
          "[e2e][restart]") {
  local::DeploymentOptions options;
  options.agencies = {kG22, kH41};
  options.build_dir = DOCBUS_BINARY_DIR;
  const fs::path dir =
      fs::temp_directory_path() / ("docbus-quickstart-" + std::to_string(getpid()));
  fs::remove_all(dir);
  options.dir = dir / "demo";
  std::string setup;
  const int code = RunShell("DOCBUS_DEMO_DIR='" + options.dir.string() +
                           "' DOCBUS_BUILD_DIR='" DOCBUS_BINARY_DIR
                           "' '" DOCBUS_SOURCE_DIR
                           "/tools/quickstart.sh' --no-install --setup-only",
                       &setup);
  INFO(setup);
  REQUIRE(code == 0);
  auto opened = local::Deployment::Open(options);
  REQUIRE(opened.ok());
  std::unique_ptr<local::Deployment> d = std::move(opened).value();
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{dir};

  REQUIRE(d->StartAll().ok());
  const std::string endpoint = d->broker_endpoint();
  CHECK(endpoint.find('*') == std::string::npos);
  Sent sent;
  std::string attachment;
  int number = 1;
  auto send = [&](const std::string& from, const std::string& to) {
    auto id = d->Send(from, MakeDocument({to}, number++, 2000, &attachment));
    REQUIRE(id.ok());
    sent.emplace_back(from, *id, std::vector<std::string>{to});
    return *id;
  };
  send(kG22, kH41);
  REQUIRE(WaitForReceipts(*d, sent, std::chrono::seconds(60)));

  // The broker goes away; agencies keep submitting meanwhile.
  REQUIRE(d->StopBroker().ok());
  std::vector<std::string> while_down;
  for (int i = 0; i < 3; ++i) while_down.push_back(send(kG22, kH41));
  while_down.push_back(send(kH41, kG22));
  for (const auto& id : while_down) {
    const std::string from = id == while_down.back() ? kH41 : kG22;
    CHECK(StateAt(*d, from, id) == "pending");
  }
  // The sender is told why its document waits.
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        auto view = d->Get(kG22, "/v1/documents/" + while_down[0]);
        return view.ok() && view->contains("pending_reason");
      },
      std::chrono::seconds(30)));
  int cli_code = -1;
  auto shown = d->RunDocbus("document --agent '" + d->agent_data(kG22).string() +
                                "' " + while_down[0],
                            &cli_code);
  REQUIRE(shown.ok());
  CHECK(cli_code == 0);
  CHECK_THAT(*shown, Catch::Contains("pending: not connected to the broker at " +
                                     endpoint + " since "));

  // Restarted with its config untouched: same port, and nobody touches the
  // agents.
  REQUIRE(d->StartBroker().ok());
  CHECK(d->broker_endpoint() == endpoint);
  REQUIRE(WaitForReceipts(*d, sent, std::chrono::seconds(60)));
  for (const auto& [from, id, to] : sent) {
    CHECK(StateAt(*d, from, id) == "accepted");
    CHECK(InboxCounts(*d, to[0])[id] == 1);
  }
  REQUIRE(d->StopAll().ok());
}

TEST_CASE("an agent that cannot reach its broker says so once: log, /healthz, "
          "metrics and its pending documents",
          "[e2e][offline]") {
  local::DeploymentOptions options;
  options.offline_after_ms = 1000;
  auto d = MakeDeployment({kG22, kH41}, options);
  // The broker's port is fixed, but no broker runs there yet.
  REQUIRE(d->StartAgent(kG22).ok());
  const fs::path log = d->dir() / ("agent-" + kG22 + ".log");
  const std::string said = "not connected to the broker at " + d->broker_endpoint();

  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        auto h = d->AgentHttp(kG22, "/healthz");
        return h.ok() && h->status == 503;
      },
      std::chrono::seconds(30)));
  auto health = d->AgentHttp(kG22, "/healthz");
  REQUIRE(health.ok());
  CHECK_THAT(health->body, Catch::Contains(said + " since "));
  CHECK(AgentGauge(*d, kG22, "docbus_agent_broker_offline") == 1);
  CHECK(AgentGauge(*d, kG22, "docbus_agent_connected") == 0);

  std::string attachment;
  auto id = d->Send(kG22, MakeDocument({kH41}, 1, 100, &attachment));
  REQUIRE(id.ok());
  auto view = d->Get(kG22, "/v1/documents/" + *id);
  REQUIRE(view.ok());
  CHECK(view->value("state", "") == "pending");
  CHECK_THAT(view->value("pending_reason", ""), Catch::Contains(said));

  // Some seconds more without a broker: still said only once.
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        return AgentGauge(*d, kG22, "docbus_agent_broker_disconnected_seconds") >= 4;
      },
      std::chrono::seconds(30)));
  CHECK(Occurrences(ReadLog(log), said) == 1);

  // The broker comes: the agent says so once, is ready again, and sends
  // what waited.
  REQUIRE(d->StartBroker().ok());
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        auto h = d->AgentHttp(kG22, "/healthz");
        return h.ok() && h->status == 200;
      },
      std::chrono::seconds(30)));
  CHECK(AgentGauge(*d, kG22, "docbus_agent_broker_offline") == 0);
  CHECK(AgentGauge(*d, kG22, "docbus_agent_broker_disconnected_seconds") == 0);
  CHECK(Occurrences(ReadLog(log), "reached the broker at") == 1);
  CHECK(Occurrences(ReadLog(log), said) == 1);
  CHECK(local::Deployment::WaitUntil(
      [&] { return StateAt(*d, kG22, *id) == "accepted"; },
      std::chrono::seconds(30)));
  REQUIRE(d->StopAll().ok());
}

}  // namespace docbus::e2e
