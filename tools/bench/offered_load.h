// What both loads the benchmark offers (docbus's and the RabbitMQ baseline's)
// do per message: wait for its turn at the offered rate, and fill it with
// fresh random bytes.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <thread>

namespace docbus::bench {

// Message `i` of a load offered at `rate` per second from `start` is due:
// waits until then (at once when rate is 0, as fast as answers come).
inline void WaitForTurn(std::chrono::steady_clock::time_point start, int i,
                        double rate) {
  if (rate <= 0) return;
  std::this_thread::sleep_until(
      start + std::chrono::microseconds(static_cast<int64_t>(i * 1e6 / rate)));
}

// Overwrites `payload` (keeping its size) with bytes from `random`: no two
// messages alike, nothing to compress.
inline void Randomize(std::string& payload, std::mt19937_64& random) {
  for (size_t at = 0; at < payload.size(); at += 8) {
    const uint64_t bits = random();
    std::memcpy(payload.data() + at, &bits,
                std::min<size_t>(8, payload.size() - at));
  }
}

}  // namespace docbus::bench
