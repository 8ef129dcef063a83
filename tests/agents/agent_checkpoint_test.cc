// The agent's watch on the broker's log (consistency of checkpoints) and the
// publication of its own log.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "agent_test_support.h"
#include "agents/agent_metrics.h"
#include "agents/secret_file.h"
#include "bus/audit/audit_log.h"
#include "bus/audit/checkpoint.h"
#include "bus/audit/hash.h"
#include "bus/audit/memory_log_storage.h"
#include "bus/audit/note_verifier.h"
#include "bus/core/clock.h"

namespace docbus::agent {
namespace {

using testing::FakeBroker;
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
  testing::TestPki pki;
  testing::TempDir data;
  RealClock clock;
  FakeBroker broker(pki);
  auto agent = Agent::Start(
      pki.OptionsFor(kAgencyA, data.path(), broker.endpoint()), clock);
  REQUIRE(agent.ok());
  Metrics& m = (*agent)->metrics();
  const std::string routing = broker.AcceptSession();
  auto request = broker.Next(v1::Frame::kCheckpointRequest);
  REQUIRE(request.has_value());
  CHECK(request->frame.checkpoint_request().known_size() == 0);

  BrokerLog honest(pki);
  honest.GrowTo(4);
  const std::string trusted_note = honest.Note();
  broker.Send(routing, honest.Update(0));
  broker.Barrier(routing);
  CHECK(m.Value(metric::kCheckpointSize) == 4);

  // The same first 3 entries, then a different history.
  BrokerLog forked(pki, 3);
  forked.GrowTo(6);
  broker.Send(routing, forked.Update(4));
  broker.Barrier(routing);
  CHECK(m.Value(metric::kCheckpointInconsistent) == 1);
  CHECK(m.Value(metric::kCheckpointSize) == 4);
  std::vector<std::filesystem::path> evidence;
  for (const auto& e :
       std::filesystem::directory_iterator(data.path() / "evidence")) {
    evidence.push_back(e.path());
  }
  REQUIRE(evidence.size() == 1);
  CHECK(*ReadSmallFile(evidence[0] / "trusted.checkpoint") == trusted_note);
  CHECK(*ReadSmallFile(evidence[0] / "presented.checkpoint") == forked.Note());
  CHECK(std::filesystem::exists(evidence[0] / "consistency.proof"));

  // A different root for the size we hold is a fork too.
  BrokerLog other(pki, 0);
  other.GrowTo(4);
  broker.Send(routing, other.Update(4));
  broker.Barrier(routing);
  CHECK(m.Value(metric::kCheckpointInconsistent) == 2);

  // Forged signature: not the broker's key.
  auto stranger = audit::GenerateNoteKeys(testing::kBrokerOrigin);
  REQUIRE(stranger.ok());
  v1::Frame forged = honest.Update(4);
  forged.mutable_checkpoint_update()->set_checkpoint(
      audit::NoteSigner::FromKey(stranger->signer_key)
          ->Sign("docbus.test/broker\n9\n" +
                 audit::HashToBase64(audit::Hash{}) + "\n"));
  broker.Send(routing, forged);
  broker.Barrier(routing);
  CHECK(m.Value(metric::kCheckpointSize) == 4);

  // The honest log grows: consistent, accepted, and remembered across restarts.
  honest.GrowTo(9);
  broker.Send(routing, honest.Update(4));
  broker.Barrier(routing);
  CHECK(m.Value(metric::kCheckpointSize) == 9);
  CHECK(m.Value(metric::kCheckpointInconsistent) == 2);
  (*agent)->Stop();
  agent = Agent::Start(pki.OptionsFor(kAgencyA, data.path(), broker.endpoint()),
                       clock);
  REQUIRE(agent.ok());
  broker.AcceptSession();
  auto asked = broker.Next(v1::Frame::kCheckpointRequest);
  REQUIRE(asked.has_value());
  CHECK(asked->frame.checkpoint_request().known_size() == 9);
}

TEST_CASE(
    "the agency's own log is signed and published as tiles, its key kept "
    "private",
    "[agent][checkpoint]") {
  testing::TestPki pki;
  testing::TempDir data;
  RealClock clock;
  FakeBroker broker(pki);
  auto agent = Agent::Start(
      pki.OptionsFor(kAgencyA, data.path(), broker.endpoint()), clock);
  REQUIRE(agent.ok());
  const std::string routing = broker.AcceptSession();
  auto b = pki.SignerFor(testing::kAgencyB);
  for (uint64_t i = 1; i <= 3; ++i) {
    broker.Send(routing, testing::DeliverDocumentFrame(
                             i, testing::MakeDocument(*b, testing::kAgencyB,
                                                      {kAgencyA}, {})));
  }
  broker.Barrier(routing);
  (*agent)->Stop();  // publishes at clean shutdown

  struct stat st {};
  REQUIRE(::stat((data.path() / "log.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto vkey = ReadSmallFile(data.path() / "log.vkey");
  REQUIRE(vkey.ok());
  std::string key = *vkey;
  key.pop_back();
  auto verifier = audit::NoteVerifier::FromVerifierKey(key);
  REQUIRE(verifier.ok());
  auto note = ReadSmallFile(data.path() / "log" / "checkpoint");
  REQUIRE(note.ok());
  auto checkpoint = audit::OpenCheckpoint(*verifier, *note);
  REQUIRE(checkpoint.ok());
  CHECK(checkpoint->origin == std::string("agency.docbus/") + kAgencyA);
  CHECK(checkpoint->size == 3);
  CHECK(std::filesystem::exists(data.path() / "log" / "tile" / "entries" /
                                "000.p" / "3"));
}

}  // namespace
}  // namespace docbus::agent
