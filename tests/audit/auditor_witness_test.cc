// `docbus audit verify --witnesses POLICY`: the exported checkpoint must
// carry k of n valid witness cosignatures; each witness is listed as
// cosigned (with its time), missing or forged, and the exit code says
// whether the policy was met.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bus/audit/auditor.h"
#include "bus/audit/checkpoint.h"
#include "bus/audit/cosignature.h"
#include "tests/audit/log_builder.h"
#include "tests/audit/test_util.h"

namespace docbus::audit {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::TestLog;
using testing::WriteFile;

struct Witnessed {
  TempDir dir;
  TestLog log;
  std::vector<CosignerKeys> keys = {
      *GenerateCosignerKeys("witness.audit-office.test"),
      *GenerateCosignerKeys("witness.ministry.test"),
      *GenerateCosignerKeys("witness.province.test")};
  std::filesystem::path tiles() { return dir.path() / "tiles"; }

  Witnessed() {
    log.AddBrokerTraffic(5);
    log.Publish(tiles());
    WriteFile(dir.path() / "log.vkey", log.verifier_key() + "\n");
    std::string policy = "[witnesses]\nquorum = 2\n";
    const char* names[] = {"audit-office", "ministry", "province"};
    for (int i = 0; i < 3; ++i) {
      policy += "[[witnesses.witness]]\nname = \"" + std::string(names[i]) +
                "\"\nvkey = \"" + keys[i].verifier_key + "\"\n";
    }
    WriteFile(dir.path() / "witnesses.toml", policy);
  }
  // Appends witness i's cosignature (over `text`, the real one by default).
  void Cosign(int i, uint64_t time_s, std::string text = "") {
    const std::string note = ReadFile(tiles() / "checkpoint");
    if (text.empty()) text = note.substr(0, note.find("\n\n") + 1);
    WriteFile(tiles() / "checkpoint",
              note + Cosigner::FromKey(keys[i].signer_key)
                         ->SignatureLine(text, time_s));
  }
  VerifyCommand Command(bool json) {
    VerifyCommand c{tiles(), dir.path() / "log.vkey", std::nullopt, json};
    c.witness_policy_file = dir.path() / "witnesses.toml";
    return c;
  }
};

TEST_CASE("verify --witnesses passes with 2 of 3 and lists each witness") {
  Witnessed w;
  w.Cosign(0, 1'780'000'001);
  w.Cosign(2, 1'780'000'003);
  std::ostringstream out, err;
  CHECK(RunVerify(w.Command(false), out, err) == 0);
  CHECK_THAT(out.str(), Catch::Contains("witnesses: 2 of 3 cosigned, 2 required"));
  CHECK_THAT(out.str(),
             Catch::Contains("audit-office (witness.audit-office.test): "
                             "cosigned at 1780000001"));
  CHECK_THAT(out.str(), Catch::Contains("ministry (witness.ministry.test): missing"));
  CHECK_THAT(out.str(), Catch::Contains("ok: docbus.test/axis/2026"));

  std::ostringstream jout, jerr;
  CHECK(RunVerify(w.Command(true), jout, jerr) == 0);
  auto j = nlohmann::json::parse(jout.str());
  CHECK(j["ok"] == true);
  CHECK(j["witnesses"]["met"] == true);
  CHECK(j["witnesses"]["list"][0]["state"] == "cosigned");
  CHECK(j["witnesses"]["list"][0]["time"] == 1'780'000'001);
  CHECK(j["witnesses"]["list"][1]["state"] == "missing");
}

TEST_CASE("verify --witnesses fails with 1 of 3 and reports a forged line") {
  Witnessed w;
  w.Cosign(0, 7);
  w.Cosign(1, 8, FormatCheckpoint(Checkpoint{"docbus.test/axis/2026", 999,
                                             LeafHash("other")}));
  std::ostringstream out, err;
  CHECK(RunVerify(w.Command(false), out, err) == 1);
  CHECK_THAT(out.str(), Catch::Contains("ministry (witness.ministry.test): forged"));
  CHECK_THAT(out.str(), Catch::Contains("FAIL: the checkpoint carries 1 of the 2"));

  std::ostringstream jout, jerr;
  CHECK(RunVerify(w.Command(true), jout, jerr) == 1);
  auto j = nlohmann::json::parse(jout.str());
  CHECK(j["ok"] == false);
  CHECK(j["witnesses"]["cosigned"] == 1);
  CHECK(j["witnesses"]["list"][1]["state"] == "forged");
  CHECK(j["witnesses"]["list"][2]["state"] == "missing");
}

TEST_CASE("verify --witnesses with a bad policy file is a usage error") {
  Witnessed w;
  WriteFile(w.dir.path() / "witnesses.toml", "[witnesses]\nquorum = 4\n");
  std::ostringstream out, err;
  CHECK(RunVerify(w.Command(false), out, err) == 2);
  CHECK_THAT(err.str(), Catch::Contains("witness policy"));
}

}  // namespace
}  // namespace docbus::audit
