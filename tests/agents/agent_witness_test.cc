// The agent requires k-of-n witness cosignatures on the broker's checkpoints
// (audit.witness_policy): short of the quorum a newer checkpoint is not
// accepted, the old one is kept and the agent says so; a witnessed one
// clears it; forged cosignatures never count.
#include <catch2/catch.hpp>

#include "agent_test_support.h"
#include "agents/agent_metrics.h"
#include "agents/agent_store.h"
#include "agents/checkpoint_tracker.h"
#include "bus/audit/audit_log.h"
#include "bus/audit/checkpoint.h"
#include "bus/audit/cosignature.h"
#include "bus/audit/memory_log_storage.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/witness_policy.h"
#include "bus/core/clock.h"
#include "bus/core/log.h"

namespace docbus::agent {
namespace {

using Outcome = CheckpointTracker::Outcome;

struct Fixture {
  testing::TestPki pki;
  testing::TempDir data;
  std::unique_ptr<AgentStore> store = std::move(AgentStore::Open(data.path())).value();
  FakeClock clock;
  Metrics metrics;
  audit::MemoryLogStorage storage;
  audit::AuditLog log{storage, testing::kBrokerOrigin};
  audit::NoteSigner signer =
      *audit::NoteSigner::FromKey(pki.broker_log_signer_key());
  std::vector<audit::CosignerKeys> keys = {
      *audit::GenerateCosignerKeys("witness.audit-office.test"),
      *audit::GenerateCosignerKeys("witness.ministry.test"),
      *audit::GenerateCosignerKeys("witness.province.test")};
  std::unique_ptr<CheckpointTracker> tracker;

  Fixture() {
    metric::DescribeAgentMetrics(metrics);
    std::vector<audit::WitnessKey> w;
    for (const auto& k : keys) {
      w.push_back({k.verifier_key.substr(0, k.verifier_key.find('+')),
                   *audit::CosignatureVerifier::FromVerifierKey(k.verifier_key)});
    }
    auto policy = audit::WitnessPolicy::Create(std::move(w), 2);
    REQUIRE(policy.ok());
    tracker = std::make_unique<CheckpointTracker>(
        *audit::NoteVerifier::FromVerifierKey(pki.broker_log_verifier_key()),
        data.path() / "evidence", clock, metrics, ComponentLogger("agent"),
        std::move(policy).value());
  }

  void GrowTo(int64_t size) {
    while (*log.Size() < size) {
      v1::AuditRecord r;
      r.set_event(v1::AUDIT_ACCEPTED);
      r.set_message_id("doc-" + std::to_string(*log.Size()));
      r.set_event_id(std::string(15, 'e') + static_cast<char>(*log.Size()));
      r.set_time_unix_ms(1000);
      REQUIRE(log.Append(r).ok());
    }
  }

  // The update for the log's current size, from `old_size`, cosigned by the
  // witnesses in `by`; `forged` witnesses sign another checkpoint instead.
  v1::CheckpointUpdate Update(uint64_t old_size, std::vector<int> by,
                              std::vector<int> forged = {}) {
    const int64_t size = *log.Size();
    const std::string text = audit::FormatCheckpoint(audit::Checkpoint{
        testing::kBrokerOrigin, static_cast<uint64_t>(size), *log.Root(size)});
    std::string note = signer.Sign(text);
    for (int i : by) {
      note += audit::Cosigner::FromKey(keys[i].signer_key)
                  ->SignatureLine(text, 1'780'000'000);
    }
    const std::string other = audit::FormatCheckpoint(audit::Checkpoint{
        testing::kBrokerOrigin, static_cast<uint64_t>(size) + 1,
        *log.Root(size)});
    for (int i : forged) {
      note += audit::Cosigner::FromKey(keys[i].signer_key)
                  ->SignatureLine(other, 1'780'000'000);
    }
    v1::CheckpointUpdate u;
    u.set_checkpoint(note);
    u.set_old_size(old_size);
    if (old_size > 0) {
      // Held by name: a range-for over *temporary would dangle.
      auto proof = log.ConsistencyProof(static_cast<int64_t>(old_size), size);
      REQUIRE(proof.ok());
      for (const audit::Hash& h : *proof)
        u.add_consistency_proof(audit::HashBytes(h));
    }
    return u;
  }

  Outcome Judge(const v1::CheckpointUpdate& u) {
    REQUIRE(store->Begin().ok());
    auto outcome = tracker->OnUpdate(u, *store);
    REQUIRE(outcome.ok());
    REQUIRE(store->Commit().ok());
    return *outcome;
  }
  double Unwitnessed() const {
    return metrics.Value(metric::kCheckpointUnwitnessed);
  }
};

TEST_CASE("a checkpoint with 2 of 3 cosignatures is accepted",
          "[agent][witness]") {
  Fixture f;
  f.GrowTo(3);
  CHECK(f.Judge(f.Update(0, {0, 2})) == Outcome::kAccepted);
  CHECK(f.tracker->known_size() == 3);
  CHECK(f.Unwitnessed() == 0);
  CHECK(f.tracker->audit_state().witnessed);
}

TEST_CASE(
    "1 of 3 leaves the checkpoint unwitnessed and the old one kept until a "
    "witnessed one comes",
    "[agent][witness]") {
  Fixture f;
  f.GrowTo(3);
  REQUIRE(f.Judge(f.Update(0, {0, 1, 2})) == Outcome::kAccepted);
  f.GrowTo(5);
  CHECK(f.Judge(f.Update(3, {1})) == Outcome::kUnwitnessed);
  CHECK(f.tracker->known_size() == 3);
  CHECK(f.Unwitnessed() == 1);
  CHECK(f.metrics.Value(metric::kCheckpointUnwitnessedTotal) == 1);
  auto state = f.tracker->audit_state();
  CHECK_FALSE(state.witnessed);
  CHECK(state.witnessed_size == 3);
  CHECK(state.newest_size == 5);
  // What the agent holds survives a restart: the stored one is size 3.
  REQUIRE(f.tracker->Load(*f.store).ok());
  CHECK(f.tracker->known_size() == 3);

  f.GrowTo(8);
  CHECK(f.Judge(f.Update(3, {1, 2})) == Outcome::kAccepted);
  CHECK(f.tracker->known_size() == 8);
  CHECK(f.Unwitnessed() == 0);
  CHECK(f.tracker->audit_state().witnessed);
}

TEST_CASE("a forged cosignature does not count toward the quorum",
          "[agent][witness]") {
  Fixture f;
  f.GrowTo(4);
  CHECK(f.Judge(f.Update(0, {0}, {1})) == Outcome::kUnwitnessed);
  CHECK(f.tracker->known_size() == 0);
  CHECK(f.Unwitnessed() == 1);
  CHECK(f.metrics.Value(metric::kForgedCosignatures,
                        Label("witness", "witness.ministry.test")) == 1);
  // Two lines of one witness are still one witness.
  v1::CheckpointUpdate twice = f.Update(0, {0});
  twice.set_checkpoint(twice.checkpoint() +
                       twice.checkpoint().substr(
                           twice.checkpoint().rfind("\xE2\x80\x94 ")));
  CHECK(f.Judge(twice) == Outcome::kUnwitnessed);
}

TEST_CASE("without a policy no cosignature is needed", "[agent][witness]") {
  Fixture f;
  f.tracker = std::make_unique<CheckpointTracker>(
      *audit::NoteVerifier::FromVerifierKey(f.pki.broker_log_verifier_key()),
      f.data.path() / "evidence", f.clock, f.metrics,
      ComponentLogger("agent"));
  f.GrowTo(2);
  CHECK(f.Judge(f.Update(0, {})) == Outcome::kAccepted);
  CHECK_FALSE(f.tracker->audit_state().witness_policy);
}

}  // namespace
}  // namespace docbus::agent
