// The daemon's config: bad keys are refused by name; the API token is made
// once, private, and kept.
#include "agents/agent_config.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "agent_test_support.h"
#include "agents/agent_daemon.h"
#include "bus/audit/cosignature.h"
#include "bus/core/files.h"

namespace docbus::agent {
namespace {

std::string ValidConfig(const testing::TestPki& pki) {
  const auto& p = pki.paths();
  const std::filesystem::path vkey = pki.dir() / "broker-log.vkey";
  FILE* f = std::fopen(vkey.c_str(), "w");
  std::fputs((pki.broker_log_verifier_key() + "\n").c_str(), f);
  std::fclose(f);
  const std::string a = testing::kAgencyA;
  return "[agent]\nagency_id = \"" + a +
         "\"\ndata_dir = \"data\"\n"
         "[broker]\nendpoint = \"tcp://127.0.0.1:7100\"\npublic_key = \"" +
         p.broker_curve_public().string() +
         "\"\n[keys]\ncurve_public_key = \"" +
         p.agency_curve_public(a).string() + "\"\ncurve_secret_key = \"" +
         p.agency_curve_secret(a).string() + "\"\nsigning_key = \"" +
         p.agency_key(a).string() + "\"\ncertificate = \"" +
         p.agency_certificate(a).string() + "\"\n[pki]\nroot_certificate = \"" +
         p.root_certificate().string() + "\"\ncrl = \"" + p.crl().string() +
         "\"\nregistry = \"" + p.registry().string() +
         "\"\n[audit]\nbroker_log_vkey = \"" + vkey.string() + "\"\n";
}

Result<DaemonOptions> Read(const std::string& text,
                           const std::filesystem::path& base) {
  auto config = Config::Parse(text, base, "agent.toml");
  REQUIRE(config.ok());
  return ReadAgentConfig(*config);
}

TEST_CASE(
    "the agent config is read with defaults, and a bad key is refused by name",
    "[agent][config]") {
  testing::TestPki pki;
  testing::TempDir base;
  const std::string good = ValidConfig(pki);
  auto options = Read(good, base.path());
  REQUIRE(options.ok());
  CHECK(options->agent.agency_id == testing::kAgencyA);
  CHECK(options->agent.data_dir ==
        base.path() / "data");  // relative to the config file
  CHECK(options->drop_folder.empty());  // no drop folder unless configured
  auto with_drop = Read(good + "[drop]\nfolder = \"data/drop\"\n", base.path());
  REQUIRE(with_drop.ok());
  CHECK(with_drop->drop_folder == base.path() / "data" / "drop");
  CHECK(options->http_listen == "127.0.0.1:0");
  CHECK(options->agent.curve_public_key.size() == 40);

  CHECK(options->agent.limits.max_document_bytes == int64_t{4} << 30);
  CHECK(options->agent.limits.max_attachment_bytes == int64_t{2} << 30);
  CHECK(options->agent.limits.max_inline_bytes == int64_t{64} << 20);
  auto limited =
      Read(good + "[limits]\nmax_document_bytes = 1000000\n", base.path());
  REQUIRE(limited.ok());
  CHECK(limited->agent.limits.max_document_bytes == 1000000);
  // The key's earlier name is still read.
  auto earlier =
      Read(good + "[limits]\nmax_frame_bytes = 2000000\n", base.path());
  REQUIRE(earlier.ok());
  CHECK(earlier->agent.limits.max_document_bytes == 2000000);

  auto typo = Read(good + "[http]\nlisten_on = \"127.0.0.1:0\"\n", base.path());
  CHECK_FALSE(typo.ok());
  CHECK_THAT(typo.status().message(), Catch::Contains("http.listen_on"));

  std::string missing = good;
  missing.erase(missing.find("agency_id"),
                missing.find('\n', missing.find("agency_id")) -
                    missing.find("agency_id") + 1);
  auto no_id = Read(missing, base.path());
  CHECK_FALSE(no_id.ok());
  CHECK_THAT(no_id.status().message(), Catch::Contains("agent.agency_id"));

  std::string wrong_key = good;
  const auto at = wrong_key.find("curve.secret");
  wrong_key.replace(at, 12, "cert.pem");
  auto bad_key = Read(wrong_key, base.path());
  CHECK_FALSE(bad_key.ok());
  CHECK_THAT(bad_key.status().message(),
             Catch::Contains("keys.curve_secret_key"));
}

TEST_CASE(
    "the API token is created once with mode 0600 and kept across restarts",
    "[agent][config]") {
  testing::TempDir data;
  auto first = AgentDaemon::EnsureApiToken(data.path());
  REQUIRE(first.ok());
  CHECK(first->size() == 64);
  struct stat st {};
  REQUIRE(::stat((data.path() / "api.token").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto second = AgentDaemon::EnsureApiToken(data.path());
  REQUIRE(second.ok());
  CHECK(*second == *first);
}

TEST_CASE("agency.time_zone is a tz database zone, checked at start",
          "[agent][config]") {
  testing::TestPki pki;
  testing::TempDir base;
  const std::string good = ValidConfig(pki);
  auto options = Read(good, base.path());
  REQUIRE(options.ok());
  CHECK(options->agent.time_zone == "Asia/Ho_Chi_Minh");
  auto other =
      Read(good + "[agency]\ntime_zone = \"Europe/Paris\"\n", base.path());
  REQUIRE(other.ok());
  CHECK(other->agent.time_zone == "Europe/Paris");
  for (const char* bad : {"Asia/Atlantis", "../../etc/passwd", "UTC+7"}) {
    INFO(bad);
    auto refused =
        Read(good + "[agency]\ntime_zone = \"" + std::string(bad) + "\"\n",
             base.path());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == Code::kInvalidArgument);
    CHECK_THAT(refused.status().message(), Catch::Contains("agency.time_zone"));
  }
}

// A valid config in a folder of its own, for the [vdxp] cases.
struct VdxpConfigFolder {
  testing::TestPki pki;
  testing::TempDir base;
  const std::string good = ValidConfig(pki);
  const std::filesystem::path secret = base.path() / "vdxp.secret";
};

TEST_CASE("[vdxp] turns the SDK endpoint on; its secret file must be 0600",
          "[agent][config][vdxp]") {
  VdxpConfigFolder folder;
  const std::string& good = folder.good;
  const testing::TempDir& base = folder.base;
  const std::filesystem::path& secret = folder.secret;
  CHECK_FALSE(Read(good, base.path())->vdxp.enabled);

  REQUIRE(WriteFileAtomically(secret, "s3cret-of-the-qlvb\n", 0600).ok());
  const std::string table =
      "[vdxp]\nsystem_id = \"vxp.saas.03\"\nsecret_file = \"vdxp.secret\"\n";
  auto on = Read(good + table, base.path());
  REQUIRE(on.ok());
  CHECK(on->vdxp.enabled);
  CHECK(on->vdxp.listen == "127.0.0.1:0");
  CHECK(on->vdxp.system_id == "vxp.saas.03");
  CHECK(on->vdxp.secret == "s3cret-of-the-qlvb");

  SECTION("a secret others can read is refused, naming the key and the mode") {
    REQUIRE(::chmod(secret.c_str(), 0644) == 0);
    auto refused = Read(good + table, base.path());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == Code::kInvalidArgument);
    CHECK_THAT(refused.status().message(), Catch::Contains("vdxp.secret_file"));
    CHECK_THAT(refused.status().message(), Catch::Contains("0644"));
    CHECK_THAT(refused.status().message(), !Catch::Contains("s3cret"));
  }
  SECTION("a missing or empty secret, or no system id, is refused by name") {
    REQUIRE(WriteFileAtomically(secret, "\n", 0600).ok());
    auto empty = Read(good + table, base.path());
    REQUIRE_FALSE(empty.ok());
    CHECK_THAT(empty.status().message(), Catch::Contains("vdxp.secret_file"));
    std::filesystem::remove(secret);
    auto missing = Read(good + table, base.path());
    REQUIRE_FALSE(missing.ok());
    CHECK_THAT(missing.status().message(), Catch::Contains("vdxp.secret_file"));
    auto no_id =
        Read(good + "[vdxp]\nsecret_file = \"vdxp.secret\"\n", base.path());
    REQUIRE_FALSE(no_id.ok());
    CHECK_THAT(no_id.status().message(), Catch::Contains("vdxp.system_id"));
  }
}

TEST_CASE("audit.witness_policy is read; a policy that cannot be met stops "
          "the agent naming the key",
          "[agent][config][witness]") {
  testing::TestPki pki;
  testing::TempDir base;
  const std::string good = ValidConfig(pki);
  auto none = Read(good, base.path());
  REQUIRE(none.ok());
  CHECK_FALSE(none->agent.witness_policy.has_value());

  auto keys = audit::GenerateCosignerKeys("witness.audit-office.test");
  REQUIRE(keys.ok());
  auto write = [&](int quorum) {
    REQUIRE(WriteFileAtomically(
                base.path() / "witnesses.toml",
                "[witnesses]\nquorum = " + std::to_string(quorum) +
                    "\n[[witnesses.witness]]\nname = \"sao\"\nvkey = \"" +
                    keys->verifier_key + "\"\n")
                .ok());
  };
  // The key sits in the [audit] table, the last one of ValidConfig.
  const std::string with = good + "witness_policy = \"witnesses.toml\"\n";
  write(1);
  auto policy = Read(with, base.path());
  REQUIRE(policy.ok());
  REQUIRE(policy->agent.witness_policy.has_value());
  CHECK(policy->agent.witness_policy->quorum() == 1);
  write(2);
  auto bad = Read(with, base.path());
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::Contains("audit.witness_policy"));
  CHECK_THAT(bad.status().message(), Catch::Contains("quorum"));
}

}  // namespace
}  // namespace docbus::agent
