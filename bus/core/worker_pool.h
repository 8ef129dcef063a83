// WorkerPool: runs the independent, CPU-bound part of a loop turn (signature
// verification, receipt signing) on several cores at once, for the broker's
// and the agent's loops. Run(n, fn) calls fn(0..n-1) spread over the pool's
// threads and the calling thread, and returns when all calls are done. With 0
// worker threads (a single-core machine) everything runs on the caller.
//
// Thread-safety: Run from one thread at a time (the loop); fn must be safe to
// call concurrently for different indexes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace docbus {

class WorkerPool {
 public:
  // `threads` extra threads (besides the caller), named `name` (at most 15
  // characters) in ps and top.
  WorkerPool(int threads, const std::string& name);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Run(size_t n, const std::function<void(size_t)>& fn);
  int threads() const { return static_cast<int>(threads_.size()); }

  // One less than the machine's cores (at least 0).
  static int DefaultThreads();

 private:
  // One Run's work; a worker that wakes late only finds it exhausted.
  struct Job {
    const std::function<void(size_t)>* fn;
    size_t n;
    std::atomic<size_t> next{0};
    std::atomic<size_t> finished{0};
  };
  void Work();
  void Drain(Job& job);

  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  bool stop_ = false;         // guarded by mu_
  std::shared_ptr<Job> job_;  // guarded by mu_
};

}  // namespace docbus
