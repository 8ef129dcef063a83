#include "agents/http_workers.h"

#include <utility>

namespace docbus::agent {
namespace {

thread_local std::optional<std::chrono::milliseconds> queue_wait;

}  // namespace

HttpWorkers::HttpWorkers(size_t threads) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

HttpWorkers::~HttpWorkers() { shutdown(); }

void HttpWorkers::enqueue(std::function<void()> connection) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back({std::move(connection), std::chrono::steady_clock::now()});
  }
  ready_.notify_one();
}

void HttpWorkers::shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::optional<std::chrono::milliseconds> HttpWorkers::TakeQueueWait() {
  return std::exchange(queue_wait, std::nullopt);
}

void HttpWorkers::Work() {
  for (;;) {
    Connection next;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to serve
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    queue_wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - next.queued);
    next.serve();
    queue_wait.reset();
  }
}

}  // namespace docbus::agent
