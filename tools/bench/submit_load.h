// The benchmark's submitting side: documents rendered as an agency system
// sends them to its agent's API, each waiting for the broker's answer
// (`Prefer: wait`, as a RabbitMQ publisher waits for its confirm) and timed
// submit->accepted by the submitting thread itself.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

namespace docbus::bench {

// One agent's API as the load sees it.
struct AgentApi {
  std::string id, url, token;
};

struct SubmitLoad {
  int size = 4096;          // attachment bytes per document
  double rate = 0;          // documents/s offered; 0 = as fast as answered
  bool offline = false;     // all to an agency that is not running
  bool multipart = false;   // attachment as a multipart part, not base64
};

struct SubmitCounts {
  std::atomic<int> failures{0};    // refused, or never accepted
  std::atomic<int> overloaded{0};  // 503 answers, each retried after 1 s
  std::atomic<int> unwaited{0};    // answered without waiting, then polled
};

// Sends documents[begin, end) in steps of `step`, alternately from each
// agency to the next one. `ids[a]` gets the ids agency a sent and were
// accepted, `accepted_ms` their submit->accepted milliseconds. A 503 is
// retried after its Retry-After; an answer that did not wait for the broker
// (the agent's wait slots were taken) is followed by reads of the document
// until the broker's answer shows.
void SendRange(const std::vector<AgentApi>& agents, int begin, int end,
               int step, const SubmitLoad& load,
               std::chrono::steady_clock::time_point start,
               std::vector<std::vector<std::string>>& ids,
               std::vector<double>& accepted_ms, SubmitCounts& counts);

}  // namespace docbus::bench
