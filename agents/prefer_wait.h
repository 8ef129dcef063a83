// POST /v1/documents with `Prefer: wait=N` (RFC 7240 §4.3): the caller is
// answered once the broker has answered the document (Accepted, or a final
// Rejected) or N seconds have passed, as a publisher waits for its confirm
// (agents/API.md, "Waiting for the broker's answer"). Without it the answer
// comes as soon as the document is durable in the outbox.
//
// Thread-safety: stateless; the AgentService is thread-safe.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>

#include "agents/agent_service.h"

namespace docbus::agent {

// A wait holds one of the API's server threads, so it is bounded.
inline constexpr std::chrono::seconds kMaxPreferWait{60};

// How many requests may wait at once: the rest of the server's threads stay
// free for reads, health checks and the submissions whose answers the
// waiters wait for. A request beyond them is answered as if it had not
// asked to wait (RFC 7240 lets a server ignore a preference).
class WaitSlots {
 public:
  explicit WaitSlots(int slots) : free_(slots) {}
  bool TryTake() {
    int free = free_.load();
    while (free > 0) {
      if (free_.compare_exchange_weak(free, free - 1)) return true;
    }
    return false;
  }
  void Give() { free_.fetch_add(1); }

 private:
  std::atomic<int> free_;
};

// The wait the request prefers: 0 without a `wait` preference, else N
// seconds, at most kMaxPreferWait. A preference that does not parse is
// ignored, as RFC 7240 §2 asks of a server.
std::chrono::seconds PreferredWait(const httplib::Request& req);

// The 202 answer to a document just submitted as `message_id`:
// {"message_id"}; after a wait also "state" (accepted, rejected, or
// pending when the broker had not answered in time) with "reason" and
// "detail" for a rejection, and the header Preference-Applied: wait=N. No
// wait when `slots` has none free.
void AnswerSubmitted(AgentService& service, const std::string& message_id,
                     std::chrono::seconds wait, WaitSlots& slots,
                     httplib::Response& res);

}  // namespace docbus::agent
