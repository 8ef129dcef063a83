// VerifyPool: a few helper threads that check the signatures of one loop
// turn in parallel with the loop thread, before the turn's frames are
// handled in order. Signature verification is most of the broker's CPU per
// document (DESIGN.md §10) and needs nothing from the store, so a turn of
// many submissions and receipts uses every core for it while the store
// stays single-threaded.
//
// Thread-safety: RunAll from one thread at a time (the loop thread); the
// work function must be safe to call concurrently for different indexes.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace docbus::broker {

class VerifyPool {
 public:
  // `helpers` threads besides the caller (0: RunAll runs everything itself).
  explicit VerifyPool(int helpers);
  ~VerifyPool();  // joins the helpers
  VerifyPool(const VerifyPool&) = delete;
  VerifyPool& operator=(const VerifyPool&) = delete;

  // Calls work(i) once for every i in [0, count), on the helpers and the
  // calling thread; returns when all calls have returned.
  void RunAll(size_t count, const std::function<void(size_t)>& work);

 private:
  void Helper();
  // Takes indexes until none is left; returns how many were done.
  size_t Drain();

  std::mutex mu_;
  std::condition_variable start_;
  std::condition_variable finished_;
  const std::function<void(size_t)>* work_ = nullptr;  // guarded by mu_
  size_t count_ = 0;
  size_t next_ = 0;  // guarded by mu_
  size_t done_ = 0;  // guarded by mu_
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace docbus::broker
