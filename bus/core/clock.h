// Time, injected. Production code takes a Clock& and never calls the system
// clock itself, so tests can move time with FakeClock. RealClock is
// thread-safe; FakeClock is safe to read from many threads while one advances.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace docbus {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in milliseconds since the Unix epoch (UTC).
  virtual int64_t NowUnixMillis() const = 0;
  // Monotonic time in milliseconds, for timeouts and latency.
  virtual int64_t MonotonicMillis() const = 0;
};

class RealClock final : public Clock {
 public:
  int64_t NowUnixMillis() const override;
  int64_t MonotonicMillis() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_millis = 1'780'000'000'000) : now_(unix_millis) {}
  int64_t NowUnixMillis() const override { return now_.load(); }
  int64_t MonotonicMillis() const override { return now_.load(); }
  void Advance(std::chrono::milliseconds by) { now_ += by.count(); }
  void Set(int64_t unix_millis) { now_ = unix_millis; }

 private:
  std::atomic<int64_t> now_;
};

// A Unix time (seconds) as its UTC date, yyyy-mm-dd.
std::string UtcDate(int64_t unix_s);

}  // namespace docbus
