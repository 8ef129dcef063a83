// The witness's add-checkpoint answers (bus/witness/witness.h) with real
// signed checkpoints and real consistency proofs: each status code of
// C2SP tlog-witness, what is stored after each, the cosignature verifying
// with the witness's key, and 50 concurrent requests from one old size
// getting exactly one 200 over HTTP.
#include "bus/witness/witness.h"

#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "bus/audit/cosignature.h"
#include "bus/crypto/sha256.h"
#include "bus/witness/witness_http.h"
#include "tests/temp_dir.h"
#include "tests/witness/witness_fixture.h"

namespace docbus::witness {
namespace {

using testing::TestTreeLog;

struct Fixture {
  docbus::testing::TempDir dir{"docbus-witness"};
  TestTreeLog log;
  audit::CosignerKeys keys = *audit::GenerateCosignerKeys("witness.sao.test");
  std::unique_ptr<WitnessStore> store =
      OpenSqliteWitnessStore(dir.path() / "witness.db").value();
  FakeClock clock;
  Metrics metrics;
  Witness witness{*audit::Cosigner::FromKey(keys.signer_key),
                  {{log.origin(), *audit::NoteVerifier::FromVerifierKey(
                                      log.verifier_key())}},
                  *store, clock, metrics};
  Fixture() { REQUIRE(witness.Init().ok()); }

  uint64_t StoredSize() {
    auto latest = *store->Latest(log.origin());
    return latest ? latest->checkpoint.size : 0;
  }
  double Refused(const char* reason) {
    return metrics.Value("docbus_witness_refused_total",
                         Label("reason", reason));
  }
};

TEST_CASE("a first checkpoint, then a consistent newer one, are cosigned") {
  Fixture f;
  WitnessAnswer a = f.witness.AddCheckpoint(f.log.Body(0, 5));
  REQUIRE(a.http_status == 200);
  const std::string note = f.log.SignedCheckpoint(5) + a.body;
  auto verifier = *audit::CosignatureVerifier::FromVerifierKey(f.keys.verifier_key);
  auto time_s = verifier.Verify(note);
  REQUIRE(time_s.ok());
  CHECK(*time_s == 1'780'000'000);
  CHECK(f.StoredSize() == 5);

  a = f.witness.AddCheckpoint(f.log.Body(5, 13));
  CHECK(a.http_status == 200);
  CHECK(f.StoredSize() == 13);
  CHECK(f.metrics.Value("docbus_witness_cosigned_total") == 2);
  CHECK(f.metrics.Value("docbus_witness_log_size",
                        Label("origin", f.log.origin())) == 13);
  // The monitoring endpoint's note is the log's checkpoint with our line.
  auto latest = f.witness.LatestNote(
      audit::HashToHex(*audit::HashFromBytes(crypto::Sha256(f.log.origin()))));
  REQUIRE(latest.ok());
  CHECK(verifier.Verify(*latest).ok());
  CHECK(latest->starts_with(f.log.SignedCheckpoint(13)));
}

TEST_CASE("the same size and root is cosigned again; another root is 422") {
  Fixture f;
  REQUIRE(f.witness.AddCheckpoint(f.log.Body(0, 8)).http_status == 200);
  CHECK(f.witness.AddCheckpoint(f.log.Body(8, 8)).http_status == 200);
  TestTreeLog fork = f.log.Fork("forged-");
  WitnessAnswer a = f.witness.AddCheckpoint(fork.Body(8, 8));
  CHECK(a.http_status == 422);
  CHECK(a.reason == "fork");
  CHECK(f.StoredSize() == 8);
}

TEST_CASE("an old size other than the stored one is 409 with the size") {
  Fixture f;
  REQUIRE(f.witness.AddCheckpoint(f.log.Body(0, 7)).http_status == 200);
  for (int64_t old : {0, 3, 6, 8}) {
    WitnessAnswer a = f.witness.AddCheckpoint(f.log.Body(old, 9));
    CHECK(a.http_status == 409);
    CHECK(a.body == "7\n");
    CHECK(a.content_type == "text/x.tlog.size");
  }
  CHECK(f.Refused("size_mismatch") == 4);
  CHECK(f.StoredSize() == 7);
}

TEST_CASE("a proof that does not verify, or a fork that extends, is 422") {
  Fixture f;
  REQUIRE(f.witness.AddCheckpoint(f.log.Body(0, 6)).http_status == 200);
  std::vector<audit::Hash> proof = f.log.Proof(6, 11);
  proof[0][3] ^= 1;
  CHECK(f.witness.AddCheckpoint(TestTreeLog::BodyOf(6, proof,
                                                    f.log.SignedCheckpoint(11)))
            .http_status == 422);
  proof = f.log.Proof(6, 11);
  proof.pop_back();
  CHECK(f.witness.AddCheckpoint(TestTreeLog::BodyOf(6, proof,
                                                    f.log.SignedCheckpoint(11)))
            .http_status == 422);
  // A tree of other leaves, with its own (valid) proof from its own size 6.
  TestTreeLog fork = f.log.Fork("forged-");
  CHECK(f.witness.AddCheckpoint(fork.Body(6, 11)).http_status == 422);
  CHECK(f.Refused("bad_proof") == 3);
  CHECK(f.StoredSize() == 6);
  CHECK(f.witness.AddCheckpoint(f.log.Body(6, 11)).http_status == 200);
}

TEST_CASE("an unknown origin is 404, a forged log signature 403") {
  Fixture f;
  TestTreeLog other("docbus.test/other/2026");
  CHECK(f.witness.AddCheckpoint(other.Body(0, 3)).http_status == 404);
  // The right origin signed by another key.
  TestTreeLog impostor(f.log.origin());
  WitnessAnswer a = f.witness.AddCheckpoint(impostor.Body(0, 3));
  CHECK(a.http_status == 403);
  CHECK(a.reason == "bad_signature");
  // A valid signature over other text, pasted under this checkpoint.
  std::string note = f.log.SignedCheckpoint(3);
  const std::string other_sig = f.log.signer().SignatureLine("x\n1\n" +
      audit::HashToBase64(audit::EmptyTreeHash()) + "\n");
  note = note.substr(0, note.find("\n\n") + 2) + other_sig;
  CHECK(f.witness.AddCheckpoint(TestTreeLog::BodyOf(0, {}, note)).http_status ==
        403);
  CHECK(f.StoredSize() == 0);
  CHECK(f.witness.AddCheckpoint(f.log.Body(0, 3)).http_status == 200);
}

TEST_CASE("malformed bodies are 400 and change nothing") {
  Fixture f;
  REQUIRE(f.witness.AddCheckpoint(f.log.Body(0, 4)).http_status == 200);
  const std::string good = f.log.Body(4, 9);
  const std::vector<std::string> bad = {
      "",
      "garbage",
      "old 4",
      "old 04\n\n" + f.log.SignedCheckpoint(9),
      "old -4\n\n" + f.log.SignedCheckpoint(9),
      "old 99999999999999999999\n\n" + f.log.SignedCheckpoint(9),
      "old 4\nnot-base64\n\n" + f.log.SignedCheckpoint(9),
      "old 4\n" + f.log.SignedCheckpoint(9),  // no empty line
      "old 4\n\nnot a note",
      good.substr(0, good.size() - 10),  // truncated signature
      std::string("old 4\n\n\0\xff", 9),
  };
  for (const std::string& body : bad) {
    WitnessAnswer a = f.witness.AddCheckpoint(body);
    INFO(body.size());
    CHECK((a.http_status == 400 || a.http_status == 403));
  }
  // 64 proof lines: one over what a 63-bit tree needs.
  std::vector<audit::Hash> proof(64, audit::EmptyTreeHash());
  CHECK(f.witness
            .AddCheckpoint(TestTreeLog::BodyOf(4, proof, f.log.SignedCheckpoint(9)))
            .http_status == 400);
  // Old size over the checkpoint's.
  WitnessAnswer a = f.witness.AddCheckpoint(
      TestTreeLog::BodyOf(12, {}, f.log.SignedCheckpoint(9)));
  CHECK(a.http_status == 400);
  CHECK(a.reason == "old_too_large");
  CHECK(f.witness.AddCheckpoint(std::string(kMaxAddCheckpointBytes + 1, 'o'))
            .http_status == 413);
  CHECK(f.StoredSize() == 4);
  CHECK(f.witness.AddCheckpoint(good).http_status == 200);
}

TEST_CASE("50 concurrent requests from the same old size: one 200, 49 409") {
  Fixture f;
  REQUIRE(f.witness.AddCheckpoint(f.log.Body(0, 10)).http_status == 200);
  auto http = WitnessHttp::Start("127.0.0.1:0", f.witness, f.metrics);
  REQUIRE(http.ok());
  // Each request a different newer size, all consistent with 10: only the
  // atomic compare keeps the witness from cosigning several of them.
  std::vector<std::string> bodies;
  for (int i = 0; i < 50; ++i) bodies.push_back(f.log.Body(10, 11 + i));
  std::atomic<int> ok{0}, conflict{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  const std::string url = (*http)->url();
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      httplib::Client client(url);
      while (!go.load()) std::this_thread::yield();
      auto res = client.Post("/add-checkpoint", bodies[i], "text/plain");
      // A connection dropped unanswered is sent again, as a broker would
      // (seen under 50 simultaneous connections; the answers are what count).
      for (int retry = 0; !res && retry < 3; ++retry)
        res = client.Post("/add-checkpoint", bodies[i], "text/plain");
      if (res && res->status == 200) {
        ++ok;
      } else if (res && res->status == 409) {
        ++conflict;
      } else {
        ++other;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  CHECK(ok == 1);
  CHECK(conflict == 49);
  CHECK(other == 0);
  const uint64_t size = f.StoredSize();
  CHECK(size >= 11);
  CHECK(size <= 60);
}

TEST_CASE("over HTTP: 413 for a 1 MiB body, monitoring, metrics and healthz") {
  Fixture f;
  auto http = WitnessHttp::Start("127.0.0.1:0", f.witness, f.metrics);
  REQUIRE(http.ok());
  httplib::Client client((*http)->url());
  auto res = client.Post("/add-checkpoint", std::string(1 << 20, 'x'),
                         "text/plain");
  REQUIRE(res);
  CHECK(res->status == 413);
  CHECK(f.Refused("too_large") == 1);
  const std::string hex =
      audit::HashToHex(*audit::HashFromBytes(crypto::Sha256(f.log.origin())));
  CHECK(client.Get("/" + hex + "/checkpoint")->status == 404);
  res = client.Post("/add-checkpoint", f.log.Body(0, 2), "text/plain");
  REQUIRE(res);
  CHECK(res->status == 200);
  res = client.Get("/" + hex + "/checkpoint");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.starts_with(f.log.SignedCheckpoint(2)));
  res = client.Get("/metrics");
  REQUIRE(res);
  CHECK(res->body.find("docbus_witness_cosigned_total 1") != std::string::npos);
  CHECK(res->body.find("docbus_witness_refused_total{reason=\"too_large\"} 1") !=
        std::string::npos);
  CHECK(res->body.find("docbus_witness_log_size{origin=\"docbus.test/axis/2026\"} 2") !=
        std::string::npos);
  CHECK(client.Get("/healthz")->status == 200);
}

}  // namespace
}  // namespace docbus::witness
