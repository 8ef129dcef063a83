#include "agents/agent_metrics.h"

namespace docbus::agent::metric {

void DescribeAgentMetrics(Metrics& m) {
  m.Describe(kOutboxPending, "gauge",
             "Outbox entries the broker has not answered yet.");
  m.Describe(kSubmitted, "counter",
             "Documents and statuses stored in the outbox.");
  m.Describe(kAccepted, "counter", "Submissions the broker accepted.");
  m.Describe(kRejected, "counter",
             "Submissions the broker rejected, by reason.");
  m.Describe(kSubmitRefused, "counter",
             "Submissions refused by the agent before signing, by reason.");
  m.Describe(kReceived, "counter", "Documents stored in the inbox.");
  m.Describe(kRefused, "counter", "Deliveries refused, by reason.");
  m.Describe(kDuplicates, "counter",
             "Deliveries already stored, acknowledged again.");
  m.Describe(kReceiptsReceived, "counter",
             "Verified signed receipts recorded.");
  m.Describe(kStatusesReceived, "counter",
             "Verified status messages recorded.");
  m.Describe(kStatusesSent, "counter", "Status messages the broker accepted.");
  m.Describe(kDeadLetters, "counter", "Dead-letter notices recorded.");
  m.Describe(kBadFrames, "counter",
             "Frames from the broker that were not understood.");
  m.Describe(kBrokerErrors, "counter",
             "Error frames from the broker, by reason.");
  m.Describe(kConnected, "gauge", "1 while a session with the broker is up.");
  m.Describe(kCheckpointSize, "gauge",
             "Size of the latest broker checkpoint accepted.");
  m.Describe(
      kCheckpointInconsistent, "counter",
      "Broker checkpoints inconsistent with the one we hold (evidence kept).");
  m.Describe(kCheckpointRefused, "counter",
             "Broker checkpoints not accepted for another reason, by reason.");
  m.Describe(kAuditSize, "gauge", "Entries in the agency's own audit log.");
  m.Describe(kCommitSeconds, "histogram",
             "Duration of one COMMIT (the fsync of a group commit).",
             {0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5});
  m.Describe(kTurnSeconds, "histogram",
             "Duration of one loop turn's transaction: handling its frames and "
             "submissions, "
             "then the commit.",
             {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5});
  m.Describe(kStoreErrors, "counter",
             "Store transactions that failed and rolled back.");
}

}  // namespace docbus::agent::metric
