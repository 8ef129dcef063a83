// Witness policies (bus/audit/witness_policy.h): k of n configured witnesses
// must have cosigned a checkpoint; forged lines and unknown witnesses do not
// count, one witness counts once, and a policy that can never be met is
// refused when it is loaded.
#include "bus/audit/witness_policy.h"

#include <catch2/catch.hpp>

#include "bus/audit/checkpoint.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/note_util.h"

namespace docbus::audit {
namespace {

using State = WitnessCosignature::State;

struct Fixture {
  NoteSigner log = *NoteSigner::FromKey(
      GenerateNoteKeys("docbus.test/axis/2026")->signer_key);
  std::vector<CosignerKeys> keys = {
      *GenerateCosignerKeys("witness.audit-office.test"),
      *GenerateCosignerKeys("witness.ministry.test"),
      *GenerateCosignerKeys("witness.province.test")};
  std::string text = FormatCheckpoint(
      Checkpoint{"docbus.test/axis/2026", 42, LeafHash("forty-two")});
  std::string note = log.Sign(text);

  std::string Line(int i, uint64_t time_s = 1'780'000'000) const {
    return Cosigner::FromKey(keys[i].signer_key)->SignatureLine(text, time_s);
  }
  std::string PolicyText(int quorum) const {
    std::string t = "[witnesses]\nquorum = " + std::to_string(quorum) + "\n";
    const char* names[] = {"audit-office", "ministry", "province"};
    for (int i = 0; i < 3; ++i) {
      t += "[[witnesses.witness]]\nname = \"" + std::string(names[i]) +
           "\"\nvkey = \"" + keys[i].verifier_key + "\"\n";
    }
    return t;
  }
  WitnessPolicy Policy(int quorum) const {
    auto p = WitnessPolicy::Parse(PolicyText(quorum));
    REQUIRE(p.ok());
    return *p;
  }
};

TEST_CASE("2 of 3 valid cosignatures meet a 2-of-3 policy, with their times") {
  Fixture f;
  WitnessCheck c = f.Policy(2).Check(f.note + f.Line(0, 111) + f.Line(2, 333));
  CHECK(c.met());
  CHECK(c.cosigned == 2);
  REQUIRE(c.witnesses.size() == 3);
  CHECK(c.witnesses[0].label == "audit-office");
  CHECK(c.witnesses[0].state == State::kCosigned);
  CHECK(c.witnesses[0].time_s == 111);
  CHECK(c.witnesses[1].state == State::kMissing);
  CHECK(c.witnesses[2].state == State::kCosigned);
  CHECK(c.witnesses[2].time_s == 333);
}

TEST_CASE("one cosignature does not meet 2 of 3; none at all counts zero") {
  Fixture f;
  CHECK_FALSE(f.Policy(2).Check(f.note + f.Line(1)).met());
  CHECK(f.Policy(2).Check(f.note).cosigned == 0);
  CHECK(f.Policy(1).Check(f.note + f.Line(1)).met());
}

TEST_CASE("a forged line of a configured witness does not count, is reported") {
  Fixture f;
  // Witness 1's line signed over another checkpoint: same key id, bad sig.
  const std::string other = FormatCheckpoint(
      Checkpoint{"docbus.test/axis/2026", 43, LeafHash("forty-three")});
  const std::string forged =
      Cosigner::FromKey(f.keys[1].signer_key)->SignatureLine(other, 5);
  WitnessCheck c = f.Policy(2).Check(f.note + f.Line(0) + forged);
  CHECK_FALSE(c.met());
  CHECK(c.cosigned == 1);
  CHECK(c.witnesses[1].state == State::kForged);
  CHECK_FALSE(c.witnesses[1].why.empty());
}

TEST_CASE("duplicate lines of one witness count once") {
  Fixture f;
  WitnessCheck c =
      f.Policy(2).Check(f.note + f.Line(0, 1) + f.Line(0, 2) + f.Line(0, 3));
  CHECK(c.cosigned == 1);
  CHECK_FALSE(c.met());
}

TEST_CASE("cosignatures of witnesses not in the policy are ignored") {
  Fixture f;
  CosignerKeys stranger = *GenerateCosignerKeys("witness.stranger.test");
  const std::string line =
      Cosigner::FromKey(stranger.signer_key)->SignatureLine(f.text, 9);
  WitnessCheck c = f.Policy(1).Check(f.note + line + line);
  CHECK(c.cosigned == 0);
  CHECK_FALSE(c.met());
  for (const auto& w : c.witnesses) CHECK(w.state == State::kMissing);
}

TEST_CASE("a malformed note has no cosignatures and does not crash") {
  Fixture f;
  WitnessCheck c = f.Policy(1).Check("not a note");
  CHECK(c.cosigned == 0);
  CHECK_FALSE(c.witnesses[0].why.empty());
}

TEST_CASE("a policy that can never be met or counts a witness twice is refused") {
  Fixture f;
  auto too_many = WitnessPolicy::Parse(f.PolicyText(4));
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.status().message().find("witnesses.quorum") !=
        std::string::npos);
  CHECK_FALSE(WitnessPolicy::Parse(f.PolicyText(0)).ok());
  CHECK_FALSE(WitnessPolicy::Parse("[witnesses]\nquorum = 1\n").ok());
  CHECK_FALSE(WitnessPolicy::Parse("quorum = ").ok());
  // The log's own (type 0x01) key is not a witness key.
  const std::string log_key = "[witnesses]\nquorum = 1\n[[witnesses.witness]]\n"
                              "name = \"log\"\nvkey = \"" +
                              f.log.verifier_key() + "\"\n";
  auto wrong_type = WitnessPolicy::Parse(log_key);
  REQUIRE_FALSE(wrong_type.ok());
  CHECK(wrong_type.status().message().find("witnesses.witness[0].vkey") !=
        std::string::npos);
  const std::string twice =
      "[witnesses]\nquorum = 2\n[[witnesses.witness]]\nname = \"a\"\nvkey = \"" +
      f.keys[0].verifier_key + "\"\n[[witnesses.witness]]\nname = \"b\"\n" +
      "vkey = \"" + f.keys[0].verifier_key + "\"\n";
  auto dup = WitnessPolicy::Parse(twice);
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.status().message().find("twice") != std::string::npos);
}

}  // namespace
}  // namespace docbus::audit
