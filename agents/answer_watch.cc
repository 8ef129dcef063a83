#include "agents/answer_watch.h"

namespace docbus::agent {

AnswerWatch::Ticket::Ticket(Ticket&& other) noexcept
    : watch_(other.watch_), id_(std::move(other.id_)) {
  other.watch_ = nullptr;
}

AnswerWatch::Ticket::~Ticket() {
  if (watch_ == nullptr) return;
  std::lock_guard lock(watch_->mu_);
  auto it = watch_->waiting_.find(id_);
  if (--it->second.watchers == 0) watch_->waiting_.erase(it);
}

bool AnswerWatch::Ticket::WaitUntil(
    std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(watch_->mu_);
  return watch_->changed_.wait_until(lock, deadline, [this] {
    return watch_->waiting_.at(id_).answered;
  });
}

AnswerWatch::Ticket AnswerWatch::Watch(std::string_view message_id) {
  std::lock_guard lock(mu_);
  ++waiting_[std::string(message_id)].watchers;
  return Ticket(this, std::string(message_id));
}

void AnswerWatch::Answered(const std::vector<std::string>& message_ids) {
  if (message_ids.empty()) return;
  bool woke = false;
  {
    std::lock_guard lock(mu_);
    if (waiting_.empty()) return;
    for (const std::string& id : message_ids) {
      auto it = waiting_.find(id);
      if (it == waiting_.end()) continue;
      it->second.answered = true;
      woke = true;
    }
  }
  if (woke) changed_.notify_all();
}

}  // namespace docbus::agent
