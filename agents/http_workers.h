// HttpWorkers: the API server's threads, a cpp-httplib TaskQueue that also
// tells each request how long its connection waited for a free thread. That
// wait is what grows without bound when callers offer more than the agent
// can commit, so ApiAdmission sheds load on it (agents/api_admission.h).
//
// Thread-safety: enqueue and shutdown from the server's accept thread;
// TakeQueueWait on a worker thread, about the connection it is serving.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace docbus::agent {

class HttpWorkers final : public httplib::TaskQueue {
 public:
  explicit HttpWorkers(size_t threads);
  ~HttpWorkers() override;
  HttpWorkers(const HttpWorkers&) = delete;
  HttpWorkers& operator=(const HttpWorkers&) = delete;

  void enqueue(std::function<void()> connection) override;
  // Serves what is queued, then joins the threads.
  void shutdown() override;

  // How long the connection this worker thread serves waited in the queue,
  // once, for its first request; nullopt for the later requests of a
  // keep-alive connection (they did not queue).
  static std::optional<std::chrono::milliseconds> TakeQueueWait();

 private:
  struct Connection {
    std::function<void()> serve;
    std::chrono::steady_clock::time_point queued;
  };

  void Work();

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Connection> queue_;  // guarded by mu_
  bool stopping_ = false;         // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace docbus::agent
