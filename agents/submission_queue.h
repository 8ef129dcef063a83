// SubmissionQueue: how callers on other threads hand signed outbox entries
// to the agent's loop, which commits them in its next group commit and then
// answers each caller. A Linux eventfd wakes the loop's poll (a file
// descriptor can be signalled from any thread; a ZeroMQ socket cannot).
//
// Thread-safety: Push, Wake and Close from any thread; TakeAll and
// ClearWake from the loop thread only.
#pragma once

#include <future>
#include <mutex>
#include <optional>
#include <vector>

#include "agents/agent_store.h"
#include "bus/core/status.h"

namespace docbus::agent {

class SubmissionQueue {
 public:
  struct Item {
    OutboxEntry entry;
    std::optional<StatusEntry> status_sent;  // for a status message
    std::promise<Status> done;               // set once committed (or not)
  };

  // kIoError if no eventfd can be created.
  static Result<std::unique_ptr<SubmissionQueue>> Create();
  ~SubmissionQueue();
  SubmissionQueue(const SubmissionQueue&) = delete;
  SubmissionQueue& operator=(const SubmissionQueue&) = delete;

  // Queues an entry and wakes the loop. The future becomes ready once the
  // entry is durable (Ok) or could not be stored; after Close it is ready at
  // once with kUnavailable.
  std::future<Status> Push(OutboxEntry entry,
                           std::optional<StatusEntry> status_sent);
  // Up to `max` queued items, oldest first; if more are left, the wake fd
  // stays readable for the next turn.
  std::vector<Item> TakeAll(size_t max);
  // Refuses further pushes and fails what is still queued with `why`.
  void Close(const Status& why);

  // The fd to poll for POLLIN; Wake makes it readable, ClearWake resets it.
  int wake_fd() const { return fd_; }
  void Wake();
  void ClearWake();

 private:
  explicit SubmissionQueue(int fd) : fd_(fd) {}

  const int fd_;
  std::mutex mu_;
  std::vector<Item> items_;  // guarded by mu_
  bool closed_ = false;      // guarded by mu_
};

}  // namespace docbus::agent
