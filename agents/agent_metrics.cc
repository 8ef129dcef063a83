#include "agents/agent_metrics.h"

namespace docbus::agent::metric {
namespace {

struct Family {
  const char* name;
  const char* type;
  const char* help;
  // Labelled by an open set of values (reasons): no series until the first.
  bool open_labels = false;
};

constexpr Family kFamilies[] = {
    {kOutboxPending, "gauge",
     "Outbox entries the broker has not answered yet."},
    {kSubmitted, "counter", "Documents and statuses stored in the outbox."},
    {kAccepted, "counter", "Submissions the broker accepted."},
    {kRejected, "counter", "Submissions the broker rejected, by reason.", true},
    {kSubmitRefused, "counter",
     "Submissions refused by the agent before signing, by reason.", true},
    {kReceived, "counter", "Documents stored in the inbox."},
    {kRefused, "counter", "Deliveries refused, by reason.", true},
    {kFetchBytes, "counter",
     "Attachment bytes of chunked documents fetched from the broker (a "
     "chunk fetched again counts again)."},
    {kFetchResumedBytes, "counter",
     "Attachment bytes found in partial files when a fetch was taken up "
     "again (not fetched again)."},
    {kChunkBytesSent, "counter",
     "Attachment bytes of chunked documents sent to the broker (a chunk sent "
     "again counts again)."},
    {kAttachmentBytesUploaded, "counter",
     "Attachment bytes callers uploaded into the outbox files (POST "
     "/v1/attachments, multipart parts, large drop-folder files)."},
    {kDuplicates, "counter", "Deliveries already stored, acknowledged again."},
    {kReceiptsReceived, "counter", "Verified signed receipts recorded."},
    {kStatusesReceived, "counter", "Verified status messages recorded."},
    {kStatusesSent, "counter", "Status messages the broker accepted."},
    {kDeadLetters, "counter", "Dead-letter notices recorded."},
    {kBadFrames, "counter",
     "Frames from the broker that were not understood, by reason.", true},
    {kBrokerErrors, "counter", "Error frames from the broker, by reason.",
     true},
    {kConnected, "gauge", "1 while a session with the broker is up."},
    {kBrokerOffline, "gauge",
     "1 while no session with the broker has been up for longer than "
     "broker.offline_after_ms (then /healthz answers 503)."},
    {kBrokerDisconnectedSeconds, "gauge",
     "Seconds since the session with the broker went down (since start when "
     "it never came up); 0 while it is up."},
    {kCheckpointSize, "gauge",
     "Size of the latest broker checkpoint accepted."},
    {kCheckpointInconsistent, "counter",
     "Broker checkpoints inconsistent with the one we hold (evidence kept)."},
    {kCheckpointRefused, "counter",
     "Broker checkpoints not accepted for another reason, by reason.", true},
    {kCheckpointUnwitnessed, "gauge",
     "1 while the newest broker checkpoint seen lacks the witness quorum "
     "(audit.witness_policy); 0 once a witnessed one is accepted."},
    {kCheckpointUnwitnessedTotal, "counter",
     "Broker checkpoints not accepted for lack of witness cosignatures."},
    {kForgedCosignatures, "counter",
     "Cosignature lines of a configured witness that did not verify, by "
     "witness.",
     true},
    {kAuditSize, "gauge", "Entries in the agency's own audit log."},
    {kRegistrySerial, "gauge",
     "Serial of the signed registry in force (0: the agent reads "
     "pki.registry files)."},
    {kRegistryRefused, "counter",
     "Signed registries refused (each once), by reason: signature, stale, "
     "malformed, invalid_entry, not_applicable.",
     true},
    {kPkiReloads, "counter",
     "Registry and CRL reloads (SIGHUP), by result (ok, failed).", true},
    {kStoreErrors, "counter",
     "Store transactions that failed and rolled back."},
    {kCertificateNotAfter, "gauge",
     "When the certificates this agency relies on expire (notAfter, Unix "
     "seconds): its own and the national root's, by subject.",
     true},
    {kCrlNextUpdate, "gauge",
     "The nextUpdate of the CRL in force (Unix seconds; 0: none)."},
    {kDataFree, "gauge",
     "Bytes available to the agent on the file system of its data folder."},
    {kDataSize, "gauge",
     "Size in bytes of the file system of the agent's data folder."},
    {kDiskRefusals, "counter",
     "Submissions refused (any front end) because the data folder is below "
     "limits.min_free_bytes."},
    {kDiskExhausted, "gauge",
     "1 while the data folder is below limits.min_free_bytes (new "
     "submissions refused), else 0."},
};

}  // namespace

void DescribeAgentMetrics(Metrics& m) {
  // Every series whose labels are known is exported from start, at 0: a
  // counter that appears with its first event hides that event from
  // rate() and increase() after each restart.
  for (const Family& f : kFamilies) {
    m.Describe(f.name, f.type, f.help);
    if (!f.open_labels) m.Declare(f.name);
  }
  for (const char* reason : {"signature", "stale", "malformed",
                             "invalid_entry", "not_applicable"}) {
    m.Declare(kRegistryRefused, Label("reason", reason));
  }
  m.Declare(kPkiReloads, Label("result", "ok"));
  m.Declare(kPkiReloads, Label("result", "failed"));
  for (const char* reason :
       {"malformed", "unexpected", "unknown_submission", "reply_dropped"}) {
    m.Declare(kBadFrames, Label("reason", reason));
  }
  m.Describe(kCommitSeconds, "histogram",
             "Duration of one COMMIT (the fsync of a group commit).",
             {0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5});
  m.Describe(kTurnSeconds, "histogram",
             "Duration of one loop turn's transaction: handling its frames and "
             "submissions, then the commit.",
             {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5});
  m.Declare(kCommitSeconds);
  m.Declare(kTurnSeconds);
}

}  // namespace docbus::agent::metric
