#include "bus/core/worker_pool.h"

#include <pthread.h>

namespace docbus {

int WorkerPool::DefaultThreads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 1 ? static_cast<int>(cores) - 1 : 0;
}

WorkerPool::WorkerPool(int threads, const std::string& name) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, name] {
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      Work();
    });
  }
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Drain(Job& job) {
  while (true) {
    const size_t i = job.next.fetch_add(1);
    if (i >= job.n) return;
    (*job.fn)(i);
    if (job.finished.fetch_add(1) + 1 == job.n) {
      std::lock_guard lock(mu_);
      done_cv_.notify_all();
    }
  }
}

void WorkerPool::Work() {
  std::shared_ptr<Job> last;
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock,
                    [&] { return stop_ || (job_ != nullptr && job_ != last); });
      if (stop_) return;
      job = job_;
    }
    last = job;
    Drain(*job);
  }
}

void WorkerPool::Run(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  if (threads_.empty() || n == 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  auto job = std::make_shared<Job>();
  job->fn = &fn;
  job->n = n;
  {
    std::lock_guard lock(mu_);
    job_ = job;
  }
  work_cv_.notify_all();
  Drain(*job);
  std::unique_lock lock(mu_);
  done_cv_.wait(lock, [&] { return job->finished.load() == n; });
  job_.reset();
}

}  // namespace docbus
