// Load and checks for the broker failover tests (failover_test.cc): documents
// sent through the agents' HTTP API from every agency at once while brokers
// are killed and frozen, the time a standby takes to take over, and the
// questions asked afterwards (every acknowledged document in each recipient's
// inbox exactly once, byte-identical, its receipts back; no tree size with
// two checkpoint roots).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_support.h"

namespace docbus::e2e {

// A document an agent's API acknowledged (answered with its message id).
struct AcknowledgedDocument {
  std::string from;
  std::string message_id;
  std::vector<std::string> to;
  std::string attachment;  // the bytes sent
};

// Documents sent from each agency on a thread of its own, one every `pace`,
// until Stop(): each to the next agency in the list, every fourth to the two
// next ones (one-to-many). A steady pace, not as fast as the agents take
// them: agents keep accepting while no broker serves, and an outage must
// not leave tens of thousands of documents to drain. Thread-safety:
// acknowledged() and failed() from any thread; documents() only after
// Stop().
class FailoverLoad {
 public:
  FailoverLoad(local::Deployment& d, std::vector<std::string> agencies,
               std::chrono::milliseconds pace = std::chrono::milliseconds(40));
  ~FailoverLoad();  // stops
  FailoverLoad(const FailoverLoad&) = delete;
  FailoverLoad& operator=(const FailoverLoad&) = delete;

  void Start();
  void Stop();
  size_t acknowledged() const { return acknowledged_.load(); }
  // Sends the agent did not answer with a message id (nothing promised).
  size_t failed() const { return failed_.load(); }
  // Waits until `count` documents in all have been acknowledged.
  bool WaitForAcknowledged(size_t count,
                           std::chrono::milliseconds timeout) const;
  const std::vector<AcknowledgedDocument>& documents() const {
    return documents_;
  }

 private:
  void SendFrom(size_t sender);

  local::Deployment& d_;
  std::vector<std::string> agencies_;
  std::chrono::milliseconds pace_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> acknowledged_{0};
  std::atomic<size_t> failed_{0};
  std::mutex mu_;
  std::vector<AcknowledgedDocument> documents_;  // guarded by mu_ while running
};

// The time from killing or freezing the active broker until another broker
// answers /healthz 200, and until that broker has accepted a document
// (docbus_broker_accepted_total above what it was before).
class TakeoverWatch {
 public:
  // Call right before killing or freezing `active`: notes what the other
  // brokers had accepted, then starts the clock.
  TakeoverWatch(local::Deployment& d, int active);
  // Polls until another broker is the only active one and has accepted a
  // new document; false when that has not happened within `timeout`.
  bool Wait(std::chrono::milliseconds timeout);

  int new_active() const { return new_active_; }
  double seconds_to_active() const { return seconds_to_active_; }
  double seconds_to_accept() const { return seconds_to_accept_; }

 private:
  local::Deployment& d_;
  int old_active_;
  std::map<int, double> accepted_before_;
  std::chrono::steady_clock::time_point start_;
  int new_active_ = -1;
  double seconds_to_active_ = -1;
  double seconds_to_accept_ = -1;
};

// Waits for every receipt of `documents`, then CHECKs each recipient's inbox:
// every document addressed to it exactly once, byte-identical, nothing else
// but up to `failed` documents whose send got no answer.
void CheckDeliveredOnce(local::Deployment& d,
                        const std::vector<std::string>& agencies,
                        const std::vector<AcknowledgedDocument>& documents,
                        size_t failed);

// Every checkpoint the brokers stored in PostgreSQL (audit_checkpoints of
// `dsn`) and the one each broker published in <data folder>/log/checkpoint:
// CHECKs that no tree size has two different roots and that each published
// checkpoint is one the database holds. Returns how many were examined.
int CheckNoForkedCheckpoints(local::Deployment& d, const std::string& dsn);

// CHECKs that no agent found a broker checkpoint inconsistent with the one
// it held (docbus_agent_checkpoint_inconsistent_total stays 0).
void CheckAgentsSawNoFork(local::Deployment& d,
                          const std::vector<std::string>& agencies);

// The documents the brokers stored in the database of `dsn`.
int64_t StoredDocuments(const std::string& dsn);

// The p-th quantile (0..1) of `values` (nearest rank); -1 when empty.
double Quantile(std::vector<double> values, double p);

}  // namespace docbus::e2e
