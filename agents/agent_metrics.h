// The agent's Prometheus metric names (docbus_agent_*), declared in one
// place so the loop, the service and the tests agree on them.
#pragma once

#include "bus/core/metrics.h"

namespace docbus::agent::metric {

inline constexpr char kOutboxPending[] = "docbus_agent_outbox_pending";
inline constexpr char kSubmitted[] = "docbus_agent_submitted_total";
inline constexpr char kAccepted[] = "docbus_agent_accepted_total";
inline constexpr char kRejected[] = "docbus_agent_rejected_total";  // {reason}
inline constexpr char kSubmitRefused[] =
    "docbus_agent_submit_refused_total";  // {reason}
inline constexpr char kReceived[] = "docbus_agent_received_total";
inline constexpr char kRefused[] = "docbus_agent_refused_total";  // {reason}
inline constexpr char kFetchBytes[] = "docbus_agent_fetch_bytes_total";
inline constexpr char kFetchResumedBytes[] =
    "docbus_agent_fetch_resumed_bytes_total";
inline constexpr char kChunkBytesSent[] = "docbus_agent_chunk_bytes_sent_total";
inline constexpr char kAttachmentBytesUploaded[] =
    "docbus_agent_attachment_bytes_uploaded_total";
inline constexpr char kDuplicates[] = "docbus_agent_duplicate_deliveries_total";
inline constexpr char kReceiptsReceived[] =
    "docbus_agent_receipts_received_total";
inline constexpr char kStatusesReceived[] =
    "docbus_agent_statuses_received_total";
inline constexpr char kStatusesSent[] = "docbus_agent_statuses_sent_total";
inline constexpr char kDeadLetters[] = "docbus_agent_dead_letters_total";
inline constexpr char kBadFrames[] =
    "docbus_agent_bad_frames_total";  // {reason}
inline constexpr char kBrokerErrors[] =
    "docbus_agent_broker_errors_total";  // {reason}
inline constexpr char kConnected[] = "docbus_agent_connected";
// Past broker.offline_after_ms without a session (the agent is not ready).
inline constexpr char kBrokerOffline[] = "docbus_agent_broker_offline";
inline constexpr char kBrokerDisconnectedSeconds[] =
    "docbus_agent_broker_disconnected_seconds";
inline constexpr char kCheckpointSize[] = "docbus_agent_checkpoint_size";
inline constexpr char kCheckpointInconsistent[] =
    "docbus_agent_checkpoint_inconsistent_total";
inline constexpr char kCheckpointRefused[] =
    "docbus_agent_checkpoint_refused_total";
// 1 while the newest broker checkpoint seen lacks the witness quorum.
inline constexpr char kCheckpointUnwitnessed[] =
    "docbus_agent_checkpoint_unwitnessed";
inline constexpr char kCheckpointUnwitnessedTotal[] =
    "docbus_agent_checkpoint_unwitnessed_total";
inline constexpr char kForgedCosignatures[] =
    "docbus_agent_forged_cosignatures_total";  // {witness}
inline constexpr char kAuditSize[] = "docbus_agent_audit_size";
inline constexpr char kCommitSeconds[] = "docbus_agent_commit_seconds";
inline constexpr char kTurnSeconds[] = "docbus_agent_turn_seconds";
inline constexpr char kRegistrySerial[] = "docbus_agent_registry_serial";
inline constexpr char kRegistryRefused[] =
    "docbus_agent_registry_refused_total";  // {reason}
inline constexpr char kPkiReloads[] =
    "docbus_agent_pki_reloads_total";  // {result}
inline constexpr char kStoreErrors[] = "docbus_agent_store_errors_total";
inline constexpr char kCertificateNotAfter[] =
    "docbus_agent_certificate_not_after_timestamp_seconds";  // {subject}
inline constexpr char kCrlNextUpdate[] =
    "docbus_agent_crl_next_update_timestamp_seconds";
inline constexpr char kDataFree[] = "docbus_agent_data_free_bytes";
inline constexpr char kDataSize[] = "docbus_agent_data_size_bytes";
inline constexpr char kDiskRefusals[] = "docbus_agent_disk_refusals_total";
inline constexpr char kDiskExhausted[] = "docbus_agent_disk_exhausted";

// Declares every family above on `metrics`.
void DescribeAgentMetrics(Metrics& metrics);

}  // namespace docbus::agent::metric
