// The docbus-agent executable as an operator runs it: a bad config exits 2
// naming the key; a good one serves its API, announces it in endpoints.json,
// and on SIGTERM exits 0, removing endpoints.json and leaving its own log
// published; a second one on the same data folder exits 1.
#include <httplib.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent_test_support.h"
#include "bus/core/files.h"
#include "tests/agents/vdxp_sdk_client.h"
#include "tools/local/daemon_process.h"

namespace docbus::agent {
namespace {

const std::filesystem::path kAgentExe =
    std::filesystem::path(DOCBUS_BINARY_DIR) / "agents" / "docbus-agent";

std::string Config(const testing::TestPki& pki, const std::string& endpoint,
                   const std::filesystem::path& data_dir) {
  const auto& p = pki.paths();
  const std::filesystem::path vkey = pki.dir() / "broker-log.vkey";
  REQUIRE(WriteFileAtomically(vkey, pki.broker_log_verifier_key() + "\n").ok());
  const std::string a = testing::kAgencyA;
  auto q = [](const std::filesystem::path& path) {
    return "\"" + path.string() + "\"";
  };
  return "[agent]\nagency_id = \"" + a + "\"\ndata_dir = " + q(data_dir) +
         "\n[broker]\nendpoint = \"" + endpoint +
         "\"\npublic_key = " + q(p.broker_curve_public()) +
         "\n[keys]\ncurve_public_key = " + q(p.agency_curve_public(a)) +
         "\ncurve_secret_key = " + q(p.agency_curve_secret(a)) +
         "\nsigning_key = " + q(p.agency_key(a)) +
         "\ncertificate = " + q(p.agency_certificate(a)) +
         "\n[pki]\nroot_certificate = " + q(p.root_certificate()) +
         "\ncrl = " + q(p.crl()) + "\nregistry = " + q(p.registry()) +
         "\n[audit]\nbroker_log_vkey = " + q(vkey) +
         "\n[log]\nlevel = \"warn\"\n";
}

void Write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file) << text;
}

// Polls (with a deadline) until `done`.
template <typename F>
bool WaitFor(F done, std::chrono::milliseconds timeout = testing::kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

// An agent config over a fresh data folder, its broker a fake one; Start runs
// docbus-agent on it, writing stdout and stderr to <dir>/<log>.
struct AgentFolder {
  AgentFolder() { Write(config, Config(pki, broker.endpoint(), data)); }
  Result<std::unique_ptr<local::DaemonProcess>> Start(const std::string& log) {
    return local::DaemonProcess::Start(kAgentExe, {"--config", config.string()},
                                       dir.path() / log);
  }
  // Starts it and waits until it announces its endpoints.
  std::unique_ptr<local::DaemonProcess> StartServing(const std::string& log) {
    auto process = Start(log);
    REQUIRE(process.ok());
    REQUIRE(WaitFor(
        [&] { return std::filesystem::exists(data / "endpoints.json"); }));
    return std::move(process).value();
  }

  testing::TestPki pki;
  testing::TempDir dir;
  testing::FakeBroker broker{pki};
  const std::filesystem::path data = dir.path() / "data";
  const std::filesystem::path config = dir.path() / "agent.toml";
};

TEST_CASE("docbus-agent refuses a bad config with exit code 2, naming the key",
          "[agent][daemon]") {
  testing::TestPki pki;
  testing::TempDir dir;
  std::string config = Config(pki, "tcp://127.0.0.1:9", dir.path() / "data");
  config.replace(config.find("[log]"), 5, "[log]\nlevel_typo = 1");
  Write(dir.path() / "agent.toml", config);
  auto process = local::DaemonProcess::Start(
      kAgentExe, {"--config", (dir.path() / "agent.toml").string()},
      dir.path() / "agent.log");
  REQUIRE(process.ok());
  auto code = (*process)->Wait(testing::kWait);
  REQUIRE(code.has_value());
  CHECK(*code == 2);
  auto log = ReadFileLimited(dir.path() / "agent.log", 1 << 20);
  REQUIRE(log.ok());
  CHECK_THAT(*log, Catch::Contains("log.level_typo"));
}

TEST_CASE("docbus-agent announces its API, serves it, and exits 0 on SIGTERM",
          "[agent][daemon]") {
  AgentFolder f;
  const std::filesystem::path& data = f.data;
  auto process = f.StartServing("agent.log");
  f.broker.AcceptSession();

  auto endpoints = ReadFileLimited(data / "endpoints.json", 1 << 20);
  REQUIRE(endpoints.ok());
  const size_t at = endpoints->find("http://127.0.0.1:");
  REQUIRE(at != std::string::npos);
  const std::string url = endpoints->substr(at, endpoints->find('"', at) - at);
  httplib::Client client(url);
  auto health = client.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  auto unauthorized = client.Get("/v1/documents");
  REQUIRE(unauthorized);
  CHECK(unauthorized->status == 401);
  auto token = ReadFileLimited(data / "api.token", 1 << 20);
  REQUIRE(token.ok());
  std::string bearer = *token;
  bearer.pop_back();
  auto listed =
      client.Get("/v1/documents", {{"Authorization", "Bearer " + bearer}});
  REQUIRE(listed);
  CHECK(listed->status == 200);

  auto code = process->Terminate(testing::kWait);
  REQUIRE(code.ok());
  CHECK(*code == 0);
  CHECK_FALSE(std::filesystem::exists(data / "endpoints.json"));
  CHECK(std::filesystem::exists(data / "log" / "checkpoint"));
}

TEST_CASE("a second docbus-agent on the same data folder is refused",
          "[agent][daemon]") {
  AgentFolder f;
  const std::filesystem::path& data = f.data;
  auto first = f.StartServing("first.log");

  auto second = f.Start("second.log");
  REQUIRE(second.ok());
  CHECK((*second)->Wait(testing::kWait) == std::optional<int>(1));
  auto said = ReadFileLimited(f.dir.path() / "second.log", 1 << 20);
  REQUIRE(said.ok());
  INFO(*said);
  CHECK(said->find(data.string() + " is in use by another process (pid " +
                   std::to_string(first->pid()) + ")") != std::string::npos);
  // The first one keeps its data folder and its API.
  CHECK(std::filesystem::exists(data / "endpoints.json"));
  CHECK(first->running());
  auto code = first->Terminate(testing::kWait);
  REQUIRE(code.ok());
  CHECK(*code == 0);
}

TEST_CASE("with [vdxp] docbus-agent announces the SDK endpoint as \"vdxp\" "
          "and serves it; a secret file others can read stops it",
          "[agent][daemon][vdxp]") {
  AgentFolder f;
  const std::filesystem::path secret = f.dir.path() / "vdxp.secret";
  REQUIRE(WriteFileAtomically(secret, "qlvb-secret\n", 0600).ok());
  std::ofstream(f.config, std::ios::app)
      << "[vdxp]\nsystem_id = \"vxp.saas.03\"\nsecret_file = \""
      << secret.string() << "\"\n";

  SECTION("served, and announced in endpoints.json") {
    auto process = f.StartServing("agent.log");
    auto endpoints = ReadFileLimited(f.data / "endpoints.json", 1 << 20);
    REQUIRE(endpoints.ok());
    const nlohmann::json announced = nlohmann::json::parse(*endpoints);
    REQUIRE(announced.contains("vdxp"));
    const std::string url = announced["vdxp"].get<std::string>();
    CHECK(url.rfind("http://127.0.0.1:", 0) == 0);
    CHECK(url != announced["http"].get<std::string>());
    testing::SdkClient client(url, "vxp.saas.03", "qlvb-secret");
    testing::SdkAnswer count = client.Call("countReceiveEdoc", {}, "GET");
    CHECK(count.status() == "OK");
    CHECK(count.body["count"] == 0);
    client.secret() = "not-the-secret";
    CHECK(client.Call("countReceiveEdoc", {}, "GET").status() == "FAIL");
    CHECK(std::filesystem::exists(f.data / "vdxp.db"));
    auto code = process->Terminate(testing::kWait);
    REQUIRE(code.ok());
    CHECK(*code == 0);
  }
  SECTION("a secret file with mode 0644 is a bad config (exit 2)") {
    REQUIRE(::chmod(secret.c_str(), 0644) == 0);
    auto process = f.Start("agent.log");
    REQUIRE(process.ok());
    CHECK((*process)->Wait(testing::kWait) == std::optional<int>(2));
    auto said = ReadFileLimited(f.dir.path() / "agent.log", 1 << 20);
    REQUIRE(said.ok());
    CHECK_THAT(*said, Catch::Contains("vdxp.secret_file"));
    CHECK_THAT(*said, !Catch::Contains("qlvb-secret"));
  }
}

}  // namespace
}  // namespace docbus::agent
