#include "bus/core/worker_pool.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace docbus {

// Each index is handled exactly once, the results are all there when Run
// returns, and the work is spread over the pool's threads as well as the
// caller's, round after round (a loop calls Run once a turn).
TEST_CASE("a worker pool runs every index once and returns when all are done",
          "[worker_pool]") {
  for (int threads : {0, 1, 3}) {
    WorkerPool pool(threads, "test-pool");
    CHECK(pool.threads() == threads);
    for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{500}}) {
      std::vector<std::atomic<int>> calls(n);
      std::mutex mu;
      std::set<std::thread::id> ran_on;
      pool.Run(n, [&](size_t i) {
        calls[i].fetch_add(1);
        std::lock_guard lock(mu);
        ran_on.insert(std::this_thread::get_id());
      });
      for (size_t i = 0; i < n; ++i) REQUIRE(calls[i].load() == 1);
      CHECK(ran_on.size() <= static_cast<size_t>(threads) + 1);
      if (threads == 0 && n > 0) {
        CHECK(ran_on == std::set{std::this_thread::get_id()});
      }
    }
  }
}

// The caller does not return while a worker still runs a slow call.
TEST_CASE("a worker pool waits for its slowest call", "[worker_pool]") {
  WorkerPool pool(2, "test-pool");
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> finished{0};
    pool.Run(6, [&](size_t i) {
      if (i % 2 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      finished.fetch_add(1);
    });
    REQUIRE(finished.load() == 6);
  }
}

}  // namespace docbus
