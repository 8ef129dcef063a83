// The docbus-witness executable (started with tests/support's
// WitnessProcess): kill -9 in the middle of a stream of add-checkpoints never
// makes it lose a size it acknowledged nor cosign an older one after the
// restart, its SQLite file's size never goes back; bad input gets its status
// code and the daemon keeps serving; a bad config exits 2; init never
// overwrites a key. Also prints the CPU time per add-checkpoint.
#include <httplib.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "bus/audit/cosignature.h"
#include "tests/support/shell.h"
#include "tests/support/witness_process.h"
#include "tests/temp_dir.h"
#include "tests/witness/witness_fixture.h"

namespace docbus::witness {
namespace {

namespace fs = std::filesystem;
using docbus::testing::WitnessProcess;
using testing::TestTreeLog;

// The size persisted for `origin` in the daemon's file (-1 when no row), read
// with SQLite itself while the daemon is down.
int64_t PersistedSize(const fs::path& db, const std::string& origin) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr) ==
          SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, "SELECT size FROM witnessed WHERE origin = ?",
                             -1, &stmt, nullptr) == SQLITE_OK);
  sqlite3_bind_text(stmt, 1, origin.c_str(), -1, SQLITE_TRANSIENT);
  int64_t size = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) size = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return size;
}

int Post(httplib::Client& client, const std::string& body,
         std::string* answer = nullptr) {
  auto res = client.Post("/add-checkpoint", body, "text/plain");
  if (!res) return -1;
  if (answer != nullptr) *answer = res->body;
  return res->status;
}

TEST_CASE("kill -9 during add-checkpoints: no size lost, none older cosigned",
          "[process]") {
  docbus::testing::TempDir dir("docbus-witnessd");
  TestTreeLog log;
  WitnessProcess witness(dir.path(), {log.verifier_key()});
  REQUIRE(witness.error() == "");
  const uint32_t seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 random(seed);
  const int64_t kRounds = 5;
  int64_t persisted = 0;  // what the file held after the last kill
  for (int round = 0; round < kRounds; ++round) {
    REQUIRE(witness.Start());
    httplib::Client client(witness.url());
    // The witness's size, as it answers a request from size 0 with 409.
    std::string size_text;
    int code = Post(client, log.Body(0, 1), &size_text);
    int64_t size = persisted;
    if (round > 0) {
      REQUIRE(code == 409);
      size = std::stoll(size_text);
      CHECK(size == persisted);
      // An older size than the witnessed one is refused, and so is a
      // rewrite of history from that older size.
      CHECK(Post(client, log.Body(size - 1, size + 1)) == 409);
      CHECK(Post(client, log.Fork("forged-").Body(size - 1, size + 1)) == 409);
    } else {
      REQUIRE(code == 200);
      size = 1;
    }

    std::atomic<int64_t> acknowledged{size};
    std::atomic<int64_t> attempted{size};
    std::atomic<bool> stop{false};
    std::atomic<int> unexpected{0};
    std::thread stream([&] {
      httplib::Client c(witness.url());
      int64_t at = acknowledged.load();
      while (!stop.load()) {
        const int64_t next = at + 1 + static_cast<int64_t>(at % 3);
        attempted = next;
        const int status = Post(c, log.Body(at, next));
        if (status == 200) {
          at = next;
          acknowledged = next;
        } else if (status != -1) {
          ++unexpected;
        }
        if (status == -1) break;  // the daemon is gone
      }
    });
    // Bodies are built ahead for speed; the kill lands 30..130 ms in.
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + random() % 100));
    witness.Kill9();
    stop = true;
    stream.join();
    CHECK(unexpected == 0);

    const int64_t now = PersistedSize(witness.db_file(), log.origin());
    INFO("round " << round << " acknowledged " << acknowledged << " attempted "
                  << attempted << " persisted " << now);
    CHECK(now >= acknowledged.load());
    CHECK(now <= attempted.load());
    CHECK(now >= persisted);
    persisted = now;
  }
  REQUIRE(witness.Start());
  httplib::Client client(witness.url());
  CHECK(Post(client, log.Body(persisted, persisted + 4)) == 200);
  CHECK(witness.Stop() == 0);
  CHECK(PersistedSize(witness.db_file(), log.origin()) == persisted + 4);
}

TEST_CASE("bad input gets its code and the daemon keeps serving", "[process]") {
  docbus::testing::TempDir dir("docbus-witnessd");
  TestTreeLog log;
  WitnessProcess witness(dir.path(), {log.verifier_key()});
  REQUIRE(witness.Start());
  httplib::Client client(witness.url());
  REQUIRE(Post(client, log.Body(0, 3)) == 200);

  CHECK(Post(client, "\x01\xff garbage\n\n\n") == 400);
  CHECK(Post(client, std::string(1 << 20, 'A')) == 413);
  std::vector<audit::Hash> proof(64, audit::EmptyTreeHash());
  CHECK(Post(client, TestTreeLog::BodyOf(3, proof, log.SignedCheckpoint(9))) ==
        400);
  CHECK(Post(client, TestTreeLog("docbus.test/else/2026").Body(0, 2)) == 404);
  CHECK(Post(client, TestTreeLog(log.origin()).Body(3, 9)) == 403);
  CHECK(Post(client, log.Fork("forged-").Body(3, 9)) == 422);
  CHECK(Post(client, log.Fork("forged-").Body(3, 3)) == 422);
  CHECK(Post(client, TestTreeLog::BodyOf(10, {}, log.SignedCheckpoint(9))) == 400);
  std::string size;
  CHECK(Post(client, log.Body(2, 9), &size) == 409);
  CHECK(size == "3\n");

  std::string line;
  REQUIRE(Post(client, log.Body(3, 9), &line) == 200);
  auto verifier =
      *audit::CosignatureVerifier::FromVerifierKey(witness.verifier_key());
  CHECK(verifier.Verify(log.SignedCheckpoint(9) + line).ok());
  auto metrics = client.Get("/metrics");
  REQUIRE(metrics);
  for (const char* series :
       {"docbus_witness_refused_total{reason=\"malformed\"} 2",
        "docbus_witness_refused_total{reason=\"too_large\"} 1",
        "docbus_witness_refused_total{reason=\"unknown_origin\"} 1",
        "docbus_witness_refused_total{reason=\"bad_signature\"} 1",
        "docbus_witness_refused_total{reason=\"bad_proof\"} 1",
        "docbus_witness_refused_total{reason=\"fork\"} 1",
        "docbus_witness_refused_total{reason=\"old_too_large\"} 1",
        "docbus_witness_refused_total{reason=\"size_mismatch\"} 1",
        "docbus_witness_cosigned_total 2"}) {
    INFO(series);
    CHECK(metrics->body.find(series) != std::string::npos);
  }
  CHECK(witness.Stop() == 0);
  // One line per refusal; never the key.
  const std::string out = witness.output();
  CHECK(std::count(out.begin(), out.end(), '\n') >= 9);
  std::ifstream key_file(dir.path() / "keys/witness.key");
  std::string key;
  key_file >> key;
  CHECK(out.find(key.substr(key.rfind('+') + 1)) == std::string::npos);
}

TEST_CASE("a bad config or key file exits 2; init never overwrites a key",
          "[process]") {
  docbus::testing::TempDir dir("docbus-witnessd");
  TestTreeLog log;
  WitnessProcess witness(dir.path(), {log.verifier_key()});
  const std::string bin = docbus::testing::WitnessBinary().string();
  std::string out;
  CHECK(docbus::testing::RunShell(bin + " init --name w --dir '" +
                                      (dir.path() / "keys").string() + "'",
                                  &out) == 1);
  CHECK(out.find("not overwritten") != std::string::npos);
  struct stat st {};
  REQUIRE(stat((dir.path() / "keys/witness.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  chmod((dir.path() / "keys/witness.key").c_str(), 0644);
  out.clear();
  CHECK(docbus::testing::RunShell(
            bin + " --config '" + witness.config_file().string() + "'", &out) == 2);
  CHECK(out.find("readable by others") != std::string::npos);
  chmod((dir.path() / "keys/witness.key").c_str(), 0600);

  std::ofstream(witness.config_file(), std::ios::app) << "\n[[log]]\nverifier_key = \"x\"\n";
  out.clear();
  CHECK(docbus::testing::RunShell(
            bin + " --config '" + witness.config_file().string() + "'", &out) == 2);
  CHECK(out.find("log[1].verifier_key") != std::string::npos);
}

// CPU time (user + system, from /proc) of the daemon, in seconds.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // fields 3..13
  long utime = 0, stime = 0;
  fields >> utime >> stime;
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

TEST_CASE("benchmark: the daemon's CPU per add-checkpoint", "[process][bench]") {
  docbus::testing::TempDir dir("docbus-witnessd");
  TestTreeLog log;
  WitnessProcess witness(dir.path(), {log.verifier_key()});
  REQUIRE(witness.Start());
  httplib::Client client(witness.url());
  constexpr int kRequests = 1000;
  // Growing by 7 a time: proofs of realistic length (up to ~20 hashes).
  std::vector<std::string> bodies;
  for (int i = 0; i < 3 * kRequests; ++i) {
    bodies.push_back(log.Body(int64_t{7} * i, int64_t{7} * (i + 1)));
  }
  std::vector<double> cpu_us;
  std::vector<double> wall_us;
  for (int run = 0; run < 3; ++run) {
    const double cpu0 = ProcessCpuSeconds(witness.pid());
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kRequests; ++i) {
      REQUIRE(Post(client, bodies[static_cast<size_t>(run * kRequests + i)]) == 200);
    }
    const std::chrono::duration<double, std::micro> wall =
        std::chrono::steady_clock::now() - t0;
    cpu_us.push_back((ProcessCpuSeconds(witness.pid()) - cpu0) * 1e6 / kRequests);
    wall_us.push_back(wall.count() / kRequests);
  }
  std::sort(cpu_us.begin(), cpu_us.end());
  std::sort(wall_us.begin(), wall_us.end());
  std::printf(
      "witness add-checkpoint, %d requests x 3 runs: CPU %.0f us/request "
      "(runs %.0f %.0f %.0f), wall %.0f us/request (median)\n",
      kRequests, cpu_us[1], cpu_us[0], cpu_us[1], cpu_us[2], wall_us[1]);
  CHECK(witness.Stop() == 0);
}

}  // namespace
}  // namespace docbus::witness
