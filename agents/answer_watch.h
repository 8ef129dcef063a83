// AnswerWatch: lets a caller of the API wait until the broker has answered
// its submission (Accepted, or a final Rejected), as a publisher waits for
// a confirm: the HTTP API's `Prefer: wait=N` (agents/API.md). The caller
// watches the message id first and then reads the outbox state, so an answer
// committed in between is seen by the read and one committed after it
// wakes the wait; the loop calls Answered only after the turn's commit.
//
// A turn that answered nothing does not even take the lock.
//
// Thread-safety: every method from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace docbus::agent {

class AnswerWatch {
 public:
  // Registered while it lives; move-only.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();

    // True once the id was answered, false if `deadline` came first.
    bool WaitUntil(std::chrono::steady_clock::time_point deadline);

   private:
    friend class AnswerWatch;
    Ticket(AnswerWatch* watch, std::string id) : watch_(watch), id_(std::move(id)) {}
    AnswerWatch* watch_;
    std::string id_;
  };

  Ticket Watch(std::string_view message_id);
  // The loop, after committing answers to these outbox entries.
  void Answered(const std::vector<std::string>& message_ids);

 private:
  struct Waiting {
    int watchers = 0;
    bool answered = false;
  };

  std::mutex mu_;
  std::condition_variable changed_;
  std::unordered_map<std::string, Waiting> waiting_;  // guarded by mu_
};

}  // namespace docbus::agent
