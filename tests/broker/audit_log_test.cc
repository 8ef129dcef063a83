// The broker's audit log as agencies and auditors rely on it: signed
// checkpoints, inclusion and consistency proofs, published tiles, and a
// refusal to start when the stored log no longer matches what was signed.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "bus/audit/checkpoint.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/note_verifier.h"
#include "bus/audit/proof.h"
#include "bus/audit/tlog_proof.h"
#include "bus/store/broker_store.h"
#include "tests/broker/broker_fixture.h"

namespace docbus::broker::test {
namespace {

audit::NoteVerifier LogVerifier() {
  std::ifstream in(LogKeyFile());
  std::string skey;
  std::getline(in, skey);
  auto signer = audit::NoteSigner::FromKey(skey);
  REQUIRE(signer.ok());
  auto verifier = audit::NoteVerifier::FromVerifierKey(signer->verifier_key());
  REQUIRE(verifier.ok());
  return *verifier;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void Exec(const std::filesystem::path& db_file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_file.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO((error != nullptr ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

TEST_CASE("agents get signed checkpoints with consistency and inclusion proofs",
          "[broker]") {
  TempDir dir;
  const audit::NoteVerifier verifier = LogVerifier();
  uint64_t first_index = 0;
  std::string proof_text;
  {
    TestBroker b(TestOptions(dir.path()));
    TestAgent g22(kG22, b.broker().zmq_endpoint());
    g22.Open();

    // Before anything: the signed empty tree.
    v1::Frame request;
    request.mutable_checkpoint_request()->set_known_size(0);
    g22.Send(request);
    const v1::CheckpointUpdate empty =
        g22.Expect(v1::Frame::kCheckpointUpdate).checkpoint_update();
    auto empty_cp = audit::OpenCheckpoint(verifier, empty.checkpoint());
    REQUIRE(empty_cp.ok());
    CHECK(empty_cp->size == 0);

    const v1::Frame accepted = g22.Submit(MakeSubmit(kG22, {kH41}));
    REQUIRE(accepted.has_accepted());
    first_index = accepted.accepted().audit_index();

    // A proof for an entry not yet covered is answered after the next
    // checkpoint.
    v1::Frame proof_request;
    proof_request.mutable_proof_request()->set_audit_index(first_index);
    g22.Send(proof_request);
    CHECK(g22.Drain().empty());
    b.clock().Advance(
        std::chrono::milliseconds(b.options().checkpoint_interval_ms + 1));
    const v1::ProofResponse proof =
        g22.Expect(v1::Frame::kProofResponse).proof_response();
    CHECK(proof.audit_index() == first_index);
    proof_text = proof.tlog_proof();

    g22.Send(request);
    const v1::CheckpointUpdate one =
        g22.Expect(v1::Frame::kCheckpointUpdate).checkpoint_update();
    auto one_cp = audit::OpenCheckpoint(verifier, one.checkpoint());
    REQUIRE(one_cp.ok());
    CHECK(one_cp->size == first_index + 1);

    REQUIRE(g22.Submit(MakeSubmit(kG22, {kH29})).has_accepted());
    b.clock().Advance(
        std::chrono::milliseconds(b.options().checkpoint_interval_ms + 1));
    g22.Drain();  // the loop has run past the checkpoint
    request.mutable_checkpoint_request()->set_known_size(one_cp->size);
    g22.Send(request);
    const v1::CheckpointUpdate two =
        g22.Expect(v1::Frame::kCheckpointUpdate).checkpoint_update();
    auto two_cp = audit::OpenCheckpoint(verifier, two.checkpoint());
    REQUIRE(two_cp.ok());
    REQUIRE(two_cp->size > one_cp->size);
    std::vector<audit::Hash> consistency;
    for (const std::string& h : two.consistency_proof()) {
      consistency.push_back(*audit::HashFromBytes(h));
    }
    CHECK(audit::VerifyConsistency(one_cp->size, two_cp->size, one_cp->root,
                                   two_cp->root, consistency)
              .ok());
  }
  // After a clean stop: the tiles folder shows the last checkpoint, and the
  // inclusion proof holds for the exact stored entry.
  auto store = store::OpenSqliteBrokerStore(dir.path());
  REQUIRE(store.ok());
  auto entry =
      (*store)->audit_storage().ReadEntry(static_cast<int64_t>(first_index));
  REQUIRE(entry.ok());
  CHECK(audit::VerifyTlogProof(proof_text, *entry, verifier).ok());
  auto published =
      audit::OpenCheckpoint(verifier, ReadFile(dir.path() / "log/checkpoint"));
  REQUIRE(published.ok());
  CHECK(static_cast<int64_t>(published->size) ==
        *(*store)->audit_storage().Size());
}

TEST_CASE("a queue survives a broker restart", "[broker]") {
  TempDir dir;
  std::string header;
  {
    TestBroker b(TestOptions(dir.path()));
    TestAgent g22(kG22, b.broker().zmq_endpoint());
    g22.Open();
    const v1::Submit submit = MakeSubmit(kG22, {kH29}, {"phụ lục"});
    REQUIRE(g22.Submit(submit).has_accepted());
    header = submit.document().header();
  }
  TestBroker b(TestOptions(dir.path()));
  TestAgent h29(kH29, b.broker().zmq_endpoint());
  h29.Open();
  const v1::Deliver d = h29.Expect(v1::Frame::kDeliver).deliver();
  CHECK(d.document().document().header() == header);
  CHECK(d.document().attachments(0).data() == "phụ lục");
}

TEST_CASE("a restart with a tampered audit log refuses to start", "[broker]") {
  TempDir dir;
  {
    TestBroker b(TestOptions(dir.path()));
    TestAgent g22(kG22, b.broker().zmq_endpoint());
    g22.Open();
    for (int i = 0; i < 3; ++i)
      REQUIRE(g22.Submit(MakeSubmit(kG22, {kH41})).has_accepted());
  }  // a clean stop signs a checkpoint of the whole log
  const auto db = dir.path() / "broker.db";
  FakeClock clock;
  SECTION("a changed stored hash") {
    Exec(db,
         "UPDATE audit_hashes SET hash = zeroblob(32) "
         "WHERE id = (SELECT MAX(id) FROM audit_hashes)");
  }
  SECTION("a changed entry") {
    Exec(db,
         "UPDATE audit_entries SET entry = entry || x'00' "
         "WHERE idx = (SELECT MAX(idx) FROM audit_entries)");
  }
  SECTION("entries removed") {
    Exec(db,
         "DELETE FROM audit_entries WHERE idx = (SELECT MAX(idx) FROM "
         "audit_entries)");
  }
  auto broker = Broker::Start(TestOptions(dir.path()), clock);
  REQUIRE_FALSE(broker.ok());
  INFO(broker.status().ToString());
  CHECK(broker.status().code() == Code::kCorruption);
  CHECK(Broker::ExitCodeFor(broker.status()) == 3);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "endpoints.json"));
}

}  // namespace
}  // namespace docbus::broker::test
