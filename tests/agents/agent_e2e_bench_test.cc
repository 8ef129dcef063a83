// Hidden end-to-end benchmark of the core path, in one process and without
// the HTTP front end: agent A -> real broker -> agent B, and B's signed
// receipt back to A, everything durable (run `agents_e2e_bench "[.bench]"`).
// It prints documents/s and never asserts timings.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "agent_test_support.h"
#include "agents/agent_metrics.h"
#include "bus/broker/broker.h"
#include "bus/core/clock.h"
#include "bus/core/files.h"

namespace docbus::agent {
namespace {

using testing::kAgencyA;
using testing::kAgencyB;
using SteadyClock = std::chrono::steady_clock;

TEST_CASE("bench: end to end with receipts through a real broker", "[.bench]") {
  const int documents = 6000;
  testing::TestPki pki;
  testing::TempDir var;
  RealClock clock;
  const std::filesystem::path log_key = pki.dir() / "broker-log.key";
  REQUIRE(WriteFileAtomically(log_key, pki.broker_log_signer_key() + "\n", 0600)
              .ok());
  broker::BrokerOptions bo;
  bo.data_dir = var.path() / "broker";
  bo.curve_secret_key = pki.paths().broker_curve_secret();
  bo.root_certificate = pki.paths().root_certificate();
  bo.crl = pki.paths().crl();
  bo.registry = pki.paths().registry();
  bo.origin = testing::kBrokerOrigin;
  bo.log_key = log_key;
  bo.http_listen = "";
  bo.log_level = "warn";
  std::filesystem::create_directories(bo.data_dir);
  auto broker = broker::Broker::Start(bo, clock);
  REQUIRE(broker.ok());
  spdlog::set_level(spdlog::level::warn);

  auto a = Agent::Start(
      pki.OptionsFor(kAgencyA, var.path() / "a", (*broker)->zmq_endpoint()),
      clock);
  auto b = Agent::Start(
      pki.OptionsFor(kAgencyB, var.path() / "b", (*broker)->zmq_endpoint()),
      clock);
  REQUIRE(a.ok());
  REQUIRE(b.ok());

  const auto start = SteadyClock::now();
  std::atomic<int> next{0};
  std::vector<std::thread> callers;
  const int threads = std::getenv("BENCH_THREADS")
                          ? std::atoi(std::getenv("BENCH_THREADS"))
                          : 16;
  for (int t = 0; t < threads; ++t) {
    callers.emplace_back([&] {
      int i;
      while ((i = next.fetch_add(1)) < documents) {
        // Half each way, like agencies writing to each other.
        Agent& from = i % 2 == 0 ? **a : **b;
        DocumentRequest r;
        r.header.add_to()->set_organ_id(i % 2 == 0 ? kAgencyB : kAgencyA);
        r.header.set_subject("Benchmark document");
        r.header.mutable_code()->set_code_number(std::to_string(i + 1));
        r.header.mutable_code()->set_code_notation("BM");
        r.attachments.push_back(
            {"body.bin", "", std::string(1024, static_cast<char>(i))});
        REQUIRE(from.Submit(std::move(r)).ok());
      }
    });
  }
  for (std::thread& t : callers) t.join();
  const double submit_s =
      std::chrono::duration<double>(SteadyClock::now() - start).count();
  const auto receipts = [&] {
    return (*a)->metrics().Value(metric::kReceiptsReceived) +
           (*b)->metrics().Value(metric::kReceiptsReceived);
  };
  const auto deadline = SteadyClock::now() + std::chrono::minutes(5);
  while (receipts() < documents && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double seconds =
      std::chrono::duration<double>(SteadyClock::now() - start).count();
  CHECK(receipts() == documents);
  std::printf(
      "end to end in one process (no HTTP): %d documents of 1 KiB, submitted "
      "in "
      "%.2f s, all receipted in %.2f s = %.0f documents/s\n",
      documents, submit_s, seconds, documents / seconds);
  for (Metrics* m :
       {&(*a)->metrics(), &(*b)->metrics(), &(*broker)->metrics()}) {
    std::string text = m->Render();
    for (size_t at = 0; at < text.size();) {
      const size_t nl = text.find('\n', at);
      const std::string line = text.substr(at, nl - at);
      if (line.find("commit_seconds_sum") != std::string::npos ||
          line.find("commit_seconds_count") != std::string::npos ||
          line.find("turn_seconds_sum") != std::string::npos ||
          line.find("turn_seconds_count") != std::string::npos ||
          line.find("commit_latency") != std::string::npos) {
        std::printf("  %s\n", line.c_str());
      }
      at = nl == std::string::npos ? text.size() : nl + 1;
    }
  }
  (*a)->Stop();
  (*b)->Stop();
  CHECK((*broker)->Stop().ok());
}

}  // namespace
}  // namespace docbus::agent
