#include "bus/broker/verify_pool.h"

namespace docbus::broker {

VerifyPool::VerifyPool(int helpers) {
  for (int i = 0; i < helpers; ++i) threads_.emplace_back([this] { Helper(); });
}

VerifyPool::~VerifyPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  start_.notify_all();
  for (std::thread& t : threads_) t.join();
}

size_t VerifyPool::Drain() {
  size_t did = 0;
  while (true) {
    size_t i;
    const std::function<void(size_t)>* work;
    {
      std::lock_guard lock(mu_);
      if (work_ == nullptr || next_ >= count_) break;
      i = next_++;
      work = work_;
    }
    (*work)(i);
    ++did;
  }
  return did;
}

void VerifyPool::Helper() {
  uint64_t seen = 0;
  while (true) {
    {
      std::unique_lock lock(mu_);
      start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    const size_t did = Drain();
    if (did > 0) {
      std::lock_guard lock(mu_);
      done_ += did;
      if (done_ == count_) finished_.notify_one();
    }
  }
}

void VerifyPool::RunAll(size_t count, const std::function<void(size_t)>& work) {
  if (count == 0) return;
  if (threads_.empty() || count == 1) {
    for (size_t i = 0; i < count; ++i) work(i);
    return;
  }
  {
    std::lock_guard lock(mu_);
    work_ = &work;
    count_ = count;
    next_ = 0;
    done_ = 0;
    ++generation_;
  }
  start_.notify_all();
  const size_t did = Drain();
  std::unique_lock lock(mu_);
  done_ += did;
  finished_.wait(lock, [&] { return done_ == count_; });
  work_ = nullptr;
}

}  // namespace docbus::broker
