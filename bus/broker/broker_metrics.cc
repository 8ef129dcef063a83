#include "bus/broker/broker_metrics.h"

#include <string>

namespace docbus::broker::metric {

void DescribeBrokerMetrics(Metrics& m) {
  auto d = [&m](std::string_view name, const char* type, const char* help,
                std::vector<double> buckets = {}) {
    m.Describe(std::string(name), type, help, std::move(buckets));
  };
  d(kConnectedAgencies, "gauge",
    "Agencies with an open session (latest Hello).");
  d(kQueueDepth, "gauge", "Queued (undelivered) deliveries per agency.");
  d(kOldestUndelivered, "gauge",
    "Age in seconds of the oldest undelivered delivery per agency.");
  d(kAccepted, "counter", "Documents accepted (stored and queued).");
  d(kDuplicates, "counter",
    "Resubmissions answered with the earlier Accepted.");
  d(kRejected, "counter", "Submissions refused, by reason.");
  d(kDiskRefusals, "counter",
    "Submits and upload chunks refused because the data folder is below "
    "limits.min_free_bytes, by kind.");
  d(kDiskExhausted, "gauge",
    "1 while the data folder is below limits.min_free_bytes (new work "
    "refused), else 0.");
  d(kStatuses, "counter", "edXML status messages accepted and relayed.");
  d(kDelivered, "counter", "Documents delivered (signed receipt recorded).");
  d(kNotified, "counter",
    "Receipts, statuses and dead-letter notices handed over.");
  d(kExpired, "counter", "Document deliveries dead-lettered, by reason.");
  d(kMalformed, "counter", "Frames that did not parse.");
  d(kFrameErrors, "counter", "Frames answered with Error, by reason.");
  d(kFramesReceived, "counter", "Frames received from agencies.");
  d(kDeliveriesSent, "counter", "Deliver frames sent (first sends).");
  d(kRetransmits, "counter", "Deliver frames re-sent after retransmit_ms.");
  d(kChunksStored, "counter",
    "UploadChunk frames taken (chunks of large attachments; resends "
    "included).");
  d(kChunkBytesReceived, "counter",
    "Attachment bytes of valid UploadChunk frames received (a chunk sent "
    "again counts again).");
  d(kChunksSent, "counter", "Chunks of large attachments sent to recipients.");
  d(kChunkBytesSent, "counter",
    "Attachment bytes sent to recipients in chunks (a chunk fetched again "
    "counts again).");
  d(kDeliveryLatency, "histogram",
    "Seconds from Accepted to the recipient's receipt.",
    {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600, 3600,
     86400});
  d(kCommitLatency, "histogram", "Seconds per group commit.",
    {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1});
  d(kTurnFrames, "histogram", "Frames handled per loop turn (group size).",
    {1, 2, 4, 8, 16, 32, 64, 128, 256, 512});
  d(kAuditLogSize, "gauge", "Entries in the broker's audit log.");
  d(kCheckpointSize, "gauge", "Size of the latest signed checkpoint.");
  d(kStoreFailures, "counter",
    "Turns rolled back, and checkpoints and delivery rounds not done, because "
    "the store failed.");
  d(kZapRefused, "counter",
    "CURVE handshakes refused by the ZAP handler since start.");
  d(kPkiReloads, "counter",
    "Reloads of the registry and the CRL (SIGHUP), by result.");
  d(kRegistrySerial, "gauge",
    "Serial of the signed registry in force (0: the broker follows "
    "pki.registry files, not a signed registry).");
  d(kRegistryRefused, "counter",
    "Versions of the signed registry refused (each once), by reason: "
    "signature, stale, malformed, invalid_entry, not_applicable, io.");
  d(kRole, "gauge",
    "1 for this broker's role (active: it serves agencies and writes the "
    "store; standby: it waits for the lease), 0 for the other.");
  d(kEpoch, "gauge",
    "The lease epoch this broker became active under (0: never active).");
  d(kTakeovers, "counter", "Times this broker took the lease and became "
    "active.");
  d(kStepDowns, "counter",
    "Times this broker lost the lease while active and stepped down.");
  d(kAgencyConnected, "gauge",
    "1 while the registered agency has a session, else 0, per agency.");
  d(kCertificateNotAfter, "gauge",
    "When each certificate in force expires (notAfter, Unix seconds): the "
    "national root and every registered agency's, by subject.");
  d(kCrlNextUpdate, "gauge",
    "The nextUpdate of the CRL in force (Unix seconds; 0: none).");
  d(kDataFree, "gauge",
    "Bytes available to the broker on the file system of its data folder.");
  d(kDataSize, "gauge",
    "Size in bytes of the file system of the broker's data folder.");

  // Every series whose labels are known is exported from start, at 0: a
  // counter that appears with its first event hides that event from
  // rate() and increase() after each restart. The families labelled by
  // agency or by reason get their series as those appear.
  for (std::string_view unlabelled :
       {kConnectedAgencies, kAccepted, kDuplicates, kStatuses, kDelivered,
        kNotified, kMalformed, kFramesReceived, kDeliveriesSent, kRetransmits,
        kChunksStored, kChunkBytesReceived, kChunksSent, kChunkBytesSent, kDeliveryLatency, kCommitLatency,
        kTurnFrames, kAuditLogSize, kCheckpointSize, kStoreFailures,
        kZapRefused, kEpoch, kTakeovers, kStepDowns, kCrlNextUpdate, kDataFree,
        kDataSize, kDiskExhausted, kRegistrySerial}) {
    m.Declare(unlabelled);
  }
  m.Declare(kDiskRefusals, Label("kind", "document"));
  m.Declare(kDiskRefusals, Label("kind", "chunk"));
  for (const char* reason : {"signature", "stale", "malformed",
                             "invalid_entry", "not_applicable", "io"}) {
    m.Declare(kRegistryRefused, Label("reason", reason));
  }
  m.Declare(kPkiReloads, Label("result", "ok"));
  m.Declare(kPkiReloads, Label("result", "failed"));
  m.Declare(kRole, Label("role", "active"));
  m.Declare(kRole, Label("role", "standby"));
}

std::string ReasonLabel(Code code) { return Label("reason", CodeName(code)); }

}  // namespace docbus::broker::metric
