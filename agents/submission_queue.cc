#include "agents/submission_queue.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace docbus::agent {

Result<std::unique_ptr<SubmissionQueue>> SubmissionQueue::Create() {
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) {
    return Status(Code::kIoError,
                  std::string("eventfd: ") + std::strerror(errno));
  }
  return std::unique_ptr<SubmissionQueue>(new SubmissionQueue(fd));
}

SubmissionQueue::~SubmissionQueue() {
  Close(Status(Code::kUnavailable, "the agent is stopping"));
  ::close(fd_);
}

std::future<Status> SubmissionQueue::Push(
    OutboxEntry entry, std::optional<StatusEntry> status_sent) {
  Item item{std::move(entry), std::move(status_sent), {}};
  std::future<Status> done = item.done.get_future();
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      item.done.set_value(Status(Code::kUnavailable, "the agent is stopping"));
      return done;
    }
    items_.push_back(std::move(item));
  }
  Wake();
  return done;
}

std::vector<SubmissionQueue::Item> SubmissionQueue::TakeAll(size_t max) {
  std::lock_guard lock(mu_);
  std::vector<Item> out;
  if (items_.size() <= max) {
    out.swap(items_);
    return out;
  }
  out.reserve(max);
  for (size_t i = 0; i < max; ++i) out.push_back(std::move(items_[i]));
  items_.erase(items_.begin(), items_.begin() + static_cast<ptrdiff_t>(max));
  Wake();  // the rest is for the next turn
  return out;
}

void SubmissionQueue::Close(const Status& why) {
  std::vector<Item> left;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    left.swap(items_);
  }
  for (Item& item : left) item.done.set_value(why);
}

void SubmissionQueue::Wake() {
  const uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop will wake anyway.
  (void)!::write(fd_, &one, sizeof(one));
}

void SubmissionQueue::ClearWake() {
  uint64_t value;
  (void)!::read(fd_, &value, sizeof(value));
}

}  // namespace docbus::agent
