// The agent's watch on the broker's log (consistency of checkpoints) and the
// publication of its own log.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <set>

#include "agent_test_support.h"
#include "agents/agent_metrics.h"
#include "agents/agent_store.h"
#include "agents/checkpoint_tracker.h"
#include "bus/audit/audit_log.h"
#include "bus/audit/checkpoint.h"
#include "bus/audit/hash.h"
#include "bus/audit/memory_log_storage.h"
#include "bus/audit/note_verifier.h"
#include "bus/core/clock.h"
#include "bus/core/files.h"
#include "bus/core/log.h"

namespace docbus::agent {
namespace {

using testing::kAgencyA;

// A broker log the test grows and signs; `fork_at` >= 0 makes entries from
// that index on differ from the honest log's.
class BrokerLog {
 public:
  BrokerLog(const testing::TestPki& pki, int fork_at = -1)
      : log_(storage_, testing::kBrokerOrigin),
        fork_at_(fork_at),
        signer_(*audit::NoteSigner::FromKey(pki.broker_log_signer_key())) {}

  void GrowTo(int64_t size) {
    while (*log_.Size() < size) {
      const int64_t i = *log_.Size();
      v1::AuditRecord r;
      r.set_event(v1::AUDIT_ACCEPTED);
      r.set_message_id("doc-" + std::to_string(i) +
                       (fork_at_ >= 0 && i >= fork_at_ ? "-forked" : ""));
      r.set_event_id(std::string(15, 'e') + static_cast<char>(i));
      r.set_time_unix_ms(1000 + i);
      REQUIRE(log_.Append(r).ok());
    }
  }

  v1::Frame Update(uint64_t old_size) {
    const int64_t size = *log_.Size();
    v1::Frame f;
    v1::CheckpointUpdate* u = f.mutable_checkpoint_update();
    u->set_checkpoint(Note());
    u->set_old_size(old_size);
    if (old_size > 0 && static_cast<int64_t>(old_size) <= size) {
      auto proof = log_.ConsistencyProof(static_cast<int64_t>(old_size), size);
      REQUIRE(proof.ok());
      for (const audit::Hash& h : proof.value())
        u->add_consistency_proof(audit::HashBytes(h));
    }
    return f;
  }

  std::string Note() {
    const int64_t size = *log_.Size();
    return signer_.Sign(audit::FormatCheckpoint(
        audit::Checkpoint{testing::kBrokerOrigin, static_cast<uint64_t>(size),
                          *log_.Root(size)}));
  }

 private:
  audit::MemoryLogStorage storage_;
  audit::AuditLog log_;
  int fork_at_;
  audit::NoteSigner signer_;
};

TEST_CASE(
    "an inconsistent broker checkpoint is detected, kept as evidence, and the "
    "old one "
    "kept",
    "[agent][checkpoint]") {
  testing::AgentWithBroker f;
  Metrics& m = f.agent->metrics();
  auto request = f.broker.Next(v1::Frame::kCheckpointRequest);
  REQUIRE(request.has_value());
  CHECK(request->frame.checkpoint_request().known_size() == 0);

  BrokerLog honest(f.pki);
  honest.GrowTo(4);
  const std::string trusted_note = honest.Note();
  f.broker.Send(f.routing, honest.Update(0));
  f.broker.Barrier(f.routing);
  CHECK(m.Value(metric::kCheckpointSize) == 4);

  // The same first 3 entries, then a different history.
  BrokerLog forked(f.pki, 3);
  forked.GrowTo(6);
  f.broker.Send(f.routing, forked.Update(4));
  f.broker.Barrier(f.routing);
  CHECK(m.Value(metric::kCheckpointInconsistent) == 1);
  CHECK(m.Value(metric::kCheckpointSize) == 4);
  std::vector<std::filesystem::path> evidence;
  for (const auto& e :
       std::filesystem::directory_iterator(f.data.path() / "evidence")) {
    evidence.push_back(e.path());
  }
  REQUIRE(evidence.size() == 1);
  CHECK(*ReadFileLimited(evidence[0] / "trusted.checkpoint", 1 << 20) ==
        trusted_note);
  CHECK(*ReadFileLimited(evidence[0] / "presented.checkpoint", 1 << 20) ==
        forked.Note());
  CHECK(std::filesystem::exists(evidence[0] / "consistency.proof"));

  // A different root for the size we hold is a fork too.
  BrokerLog other(f.pki, 0);
  other.GrowTo(4);
  f.broker.Send(f.routing, other.Update(4));
  f.broker.Barrier(f.routing);
  CHECK(m.Value(metric::kCheckpointInconsistent) == 2);
  // Kept beside the first fork's evidence, never over it.
  evidence.clear();
  for (const auto& e :
       std::filesystem::directory_iterator(f.data.path() / "evidence")) {
    evidence.push_back(e.path());
  }
  CHECK(evidence.size() == 2);

  // Forged signature: not the broker's key.
  auto stranger = audit::GenerateNoteKeys(testing::kBrokerOrigin);
  REQUIRE(stranger.ok());
  v1::Frame forged = honest.Update(4);
  forged.mutable_checkpoint_update()->set_checkpoint(
      audit::NoteSigner::FromKey(stranger->signer_key)
          ->Sign("docbus.test/broker\n9\n" +
                 audit::HashToBase64(audit::Hash{}) + "\n"));
  f.broker.Send(f.routing, forged);
  f.broker.Barrier(f.routing);
  CHECK(m.Value(metric::kCheckpointSize) == 4);

  // The honest log grows: consistent, accepted, and remembered across restarts.
  honest.GrowTo(9);
  f.broker.Send(f.routing, honest.Update(4));
  f.broker.Barrier(f.routing);
  CHECK(m.Value(metric::kCheckpointSize) == 9);
  CHECK(m.Value(metric::kCheckpointInconsistent) == 2);
  f.agent->Stop();
  auto restarted = Agent::Start(
      f.pki.OptionsFor(kAgencyA, f.data.path(), f.broker.endpoint()), f.clock);
  REQUIRE(restarted.ok());
  f.broker.AcceptSession();
  auto asked = f.broker.Next(v1::Frame::kCheckpointRequest);
  REQUIRE(asked.has_value());
  CHECK(asked->frame.checkpoint_request().known_size() == 9);
}

TEST_CASE("two forks shown in the same millisecond keep separate evidence",
          "[agent][checkpoint]") {
  testing::TestPki pki;
  testing::TempDir data;
  auto store = AgentStore::Open(data.path());
  REQUIRE(store.ok());
  FakeClock clock;  // never moves: every update comes at the same time
  Metrics metrics;
  metric::DescribeAgentMetrics(metrics);
  auto verifier =
      audit::NoteVerifier::FromVerifierKey(pki.broker_log_verifier_key());
  REQUIRE(verifier.ok());
  CheckpointTracker tracker(std::move(verifier).value(),
                            data.path() / "evidence", clock, metrics,
                            ComponentLogger("agent"));
  BrokerLog honest(pki);
  honest.GrowTo(4);
  BrokerLog forked(pki, 3);
  forked.GrowTo(6);
  BrokerLog other(pki, 0);
  other.GrowTo(4);

  REQUIRE((*store)->Begin().ok());
  auto judge = [&](BrokerLog& log, uint64_t old_size) {
    auto outcome =
        tracker.OnUpdate(log.Update(old_size).checkpoint_update(), **store);
    REQUIRE(outcome.ok());
    return *outcome;
  };
  CHECK(judge(honest, 0) == CheckpointTracker::Outcome::kAccepted);
  CHECK(judge(forked, 4) == CheckpointTracker::Outcome::kInconsistent);
  CHECK(judge(other, 4) == CheckpointTracker::Outcome::kInconsistent);
  REQUIRE((*store)->Commit().ok());

  std::set<std::string> presented;
  for (const auto& e :
       std::filesystem::directory_iterator(data.path() / "evidence")) {
    auto note = ReadFileLimited(e.path() / "presented.checkpoint", 1 << 20);
    REQUIRE(note.ok());
    presented.insert(*note);
  }
  CHECK(presented == std::set<std::string>{forked.Note(), other.Note()});
  CHECK(tracker.known_size() == 4);
}

TEST_CASE(
    "the agency's own log is signed and published as tiles, its key kept "
    "private",
    "[agent][checkpoint]") {
  testing::AgentWithBroker f;
  auto b = f.pki.SignerFor(testing::kAgencyB);
  for (uint64_t i = 1; i <= 3; ++i) {
    f.broker.Send(f.routing, testing::DeliverDocumentFrame(
                                 i, testing::MakeDocument(*b, testing::kAgencyB,
                                                          {kAgencyA}, {})));
  }
  f.broker.Barrier(f.routing);
  f.agent->Stop();  // publishes at clean shutdown

  struct stat st {};
  REQUIRE(::stat((f.data.path() / "log.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto vkey = ReadFileLimited(f.data.path() / "log.vkey", 1 << 20);
  REQUIRE(vkey.ok());
  std::string key = *vkey;
  key.pop_back();
  auto verifier = audit::NoteVerifier::FromVerifierKey(key);
  REQUIRE(verifier.ok());
  auto note = ReadFileLimited(f.data.path() / "log" / "checkpoint", 1 << 20);
  REQUIRE(note.ok());
  auto checkpoint = audit::OpenCheckpoint(*verifier, *note);
  REQUIRE(checkpoint.ok());
  CHECK(checkpoint->origin == std::string("agency.docbus/") + kAgencyA);
  CHECK(checkpoint->size == 3);
  CHECK(std::filesystem::exists(f.data.path() / "log" / "tile" / "entries" /
                                "000.p" / "3"));
}

}  // namespace
}  // namespace docbus::agent
