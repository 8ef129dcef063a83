// Onboarding from the command line, both sides: `docbus agent init` on the
// agency's machine makes a folder whose agent.toml the agent accepts once
// the operator's `docbus agency add` sent back the certificate (and the
// signed registry and the broker's log key are in place); the CA folder
// gets no key of the agency; nothing is overwritten.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <vector>

#include "agents/agent_config.h"
#include "bus/core/files.h"
#include "certs/authority.h"
#include "tests/certs/cli_run.h"
#include "tests/crypto/pki_fixture.h"
#include "tests/crypto/softhsm_token.h"
#include "tools/agency_commands.h"
#include "tools/agent_init.h"

namespace docbus::test {
namespace {

CommandResult Docbus(std::vector<std::string> args) {
  return RunCli(
      [](CLI::App& app, std::ostream& out, std::ostream& err) {
        CLI::App* agent = app.add_subcommand("agent");
        AddAgentInitCommand(*agent, out, err);
        AddAgencyAddCommand(AddAgencyCommandGroup(app), out, err);
      },
      std::move(args));
}

unsigned ModeOf(const std::filesystem::path& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

// The agency's folder after `agent init` with `key_args`, and the operator's
// `agency add` of its request, with what the operator publishes put back.
struct Onboarded {
  Onboarded(PkiFixture& pki, std::vector<std::string> key_args)
      : dir(pki.tmp.path() / "agency") {
    REQUIRE(pki::IssueBroker(pki.paths.dir()).ok());
    std::vector<std::string> init{"agent",
                                  "init",
                                  "--agency",
                                  kAgencyC,
                                  "--dir",
                                  dir.string(),
                                  "--broker",
                                  "tcp://127.0.0.1:7100",
                                  "--broker-public-key",
                                  pki.paths.broker_curve_public().string(),
                                  "--root",
                                  pki.paths.root_certificate().string()};
    init.insert(init.end(), key_args.begin(), key_args.end());
    CommandResult made = Docbus(init);
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    CHECK(made.out.find((dir / "request.pem").string()) != std::string::npos);
    CommandResult added =
        Docbus({"agency", "add", "--dir", pki.paths.dir().string(), "--request",
                (dir / "request.pem").string(), "--name", "Bộ Nội vụ",
                "--cert-out", (dir / "cert.pem").string()});
    INFO(added.err);
    REQUIRE(added.exit_code == 0);
    auto registry =
        ReadFileLimited(pki.paths.signed_registry(), 1 << 20);
    REQUIRE(registry.ok());
    REQUIRE(
        WriteFileAtomically(dir / kAgentRegistryFile, *registry, 0644).ok());
    REQUIRE(WriteFileAtomically(dir / "broker-log.vkey", "docbus+0a1b2c3d+AQ\n",
                                0644)
                .ok());
  }
  std::filesystem::path dir;
};

TEST_CASE(
    "agent init with a new key and agency add give a folder the agent "
    "accepts, the key staying with the agency",
    "[onboarding]") {
  PkiFixture pki;
  Onboarded agency(pki, {"--new-key"});
  CHECK(ModeOf(agency.dir / "key.pem") == 0600);
  CHECK(ModeOf(agency.dir / "curve.secret") == 0600);
  std::error_code ec;
  CHECK_FALSE(std::filesystem::exists(pki.paths.agency_key(kAgencyC), ec));
  CHECK_FALSE(
      std::filesystem::exists(pki.paths.agency_curve_secret(kAgencyC), ec));

  auto config = agent::LoadAgentConfig(agency.dir / "agent.toml");
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  CHECK(config->agent.agency_id == kAgencyC);
  CHECK(config->agent.signing_key == agency.dir / "key.pem");
  CHECK(config->agent.signed_registry == agency.dir / kAgentRegistryFile);
  auto signer = crypto::Signer::Open(config->agent.signing_key.string(),
                                     config->agent.certificate);
  INFO(signer.status().ToString());
  REQUIRE(signer.ok());
  CHECK((*signer)->agency_id() == kAgencyC);
  CHECK(pki.Registry()->Find(kAgencyC) != nullptr);

  // A second init never replaces the first one's config or keys.
  const auto before = ReadFileLimited(agency.dir / "agent.toml", 1 << 20);
  const auto key_before = ReadFileLimited(agency.dir / "key.pem", 1 << 20);
  CommandResult again =
      Docbus({"agent", "init", "--agency", kAgencyC, "--dir",
              agency.dir.string(), "--new-key", "--broker", "tcp://x:1",
              "--broker-public-key", pki.paths.broker_curve_public().string(),
              "--root", pki.paths.root_certificate().string()});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("exists") != std::string::npos);
  CHECK(*ReadFileLimited(agency.dir / "agent.toml", 1 << 20) == *before);
  CHECK(*ReadFileLimited(agency.dir / "key.pem", 1 << 20) == *key_before);
}

TEST_CASE(
    "agent init with a key on a PKCS#11 token writes a config the agent "
    "accepts, naming the token",
    "[onboarding][pkcs11]") {
  SoftHsmToken token;
  PkiFixture pki;
  Onboarded agency(pki,
                   {"--key", token.Uri(), "--pkcs11-module", kSoftHsmModule});
  std::error_code ec;
  CHECK_FALSE(std::filesystem::exists(agency.dir / "key.pem", ec));
  auto config = agent::LoadAgentConfig(agency.dir / "agent.toml");
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  CHECK(config->agent.signing_key.string() == token.Uri());
  CHECK(config->agent.pkcs11_module == kSoftHsmModule);
  auto signer = crypto::Signer::Open(config->agent.signing_key.string(),
                                     config->agent.certificate,
                                     config->agent.pkcs11_module);
  INFO(signer.status().ToString());
  REQUIRE(signer.ok());
  CHECK((*signer)->agency_id() == kAgencyC);
}

TEST_CASE("agent init refuses a key file given as --key, naming why",
          "[onboarding]") {
  PkiFixture pki;
  REQUIRE(pki::IssueBroker(pki.paths.dir()).ok());
  const auto dir = pki.tmp.path() / "agency";
  CommandResult run =
      Docbus({"agent", "init", "--agency", kAgencyC, "--dir", dir.string(),
              "--key", "/etc/key.pem", "--broker", "tcp://x:1",
              "--broker-public-key", pki.paths.broker_curve_public().string(),
              "--root", pki.paths.root_certificate().string()});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("pkcs11: URI") != std::string::npos);
  std::error_code ec;
  CHECK_FALSE(std::filesystem::exists(dir / "agent.toml", ec));
}

}  // namespace
}  // namespace docbus::test
