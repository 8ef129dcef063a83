// The broker's Prometheus metric names (docbus_broker_*) in one place, and
// their declarations. Thread-safe (Metrics is).
#pragma once

#include <string_view>

#include "bus/core/metrics.h"
#include "bus/core/status.h"

namespace docbus::broker::metric {

inline constexpr std::string_view kConnectedAgencies =
    "docbus_broker_connected_agencies";
inline constexpr std::string_view kQueueDepth = "docbus_broker_queue_depth";
inline constexpr std::string_view kOldestUndelivered =
    "docbus_broker_oldest_undelivered_seconds";
inline constexpr std::string_view kAccepted = "docbus_broker_accepted_total";
inline constexpr std::string_view kDuplicates =
    "docbus_broker_duplicate_submissions_total";
inline constexpr std::string_view kRejected = "docbus_broker_rejected_total";
inline constexpr std::string_view kStatuses = "docbus_broker_statuses_total";
inline constexpr std::string_view kDelivered = "docbus_broker_delivered_total";
inline constexpr std::string_view kNotified = "docbus_broker_notified_total";
inline constexpr std::string_view kExpired = "docbus_broker_expired_total";
inline constexpr std::string_view kMalformed =
    "docbus_broker_malformed_frames_total";
inline constexpr std::string_view kFrameErrors =
    "docbus_broker_frame_errors_total";
inline constexpr std::string_view kFramesReceived =
    "docbus_broker_frames_received_total";
inline constexpr std::string_view kDeliveriesSent =
    "docbus_broker_deliveries_sent_total";
inline constexpr std::string_view kRetransmits =
    "docbus_broker_retransmits_total";
inline constexpr std::string_view kChunksStored =
    "docbus_broker_chunks_stored_total";
inline constexpr std::string_view kChunkBytesReceived =
    "docbus_broker_chunk_bytes_received_total";
inline constexpr std::string_view kChunksSent =
    "docbus_broker_chunks_sent_total";
inline constexpr std::string_view kChunkBytesSent =
    "docbus_broker_chunk_bytes_sent_total";
inline constexpr std::string_view kDeliveryLatency =
    "docbus_broker_delivery_latency_seconds";
inline constexpr std::string_view kCommitLatency =
    "docbus_broker_commit_latency_seconds";
inline constexpr std::string_view kTurnFrames = "docbus_broker_turn_frames";
inline constexpr std::string_view kAuditLogSize =
    "docbus_broker_audit_log_size";
inline constexpr std::string_view kCheckpointSize =
    "docbus_broker_checkpoint_size";
inline constexpr std::string_view kStoreFailures =
    "docbus_broker_store_failures_total";
inline constexpr std::string_view kZapRefused =
    "docbus_broker_zap_refused_total";
inline constexpr std::string_view kRegistrySerial =
    "docbus_broker_registry_serial";
inline constexpr std::string_view kRegistryRefused =
    "docbus_broker_registry_refused_total";  // {reason}
inline constexpr std::string_view kPkiReloads =
    "docbus_broker_pki_reloads_total";

inline constexpr std::string_view kRole = "docbus_broker_role";
inline constexpr std::string_view kEpoch = "docbus_broker_epoch";
inline constexpr std::string_view kTakeovers = "docbus_broker_takeovers_total";
inline constexpr std::string_view kStepDowns =
    "docbus_broker_step_downs_total";
inline constexpr std::string_view kAgencyConnected =
    "docbus_broker_agency_connected";
inline constexpr std::string_view kCertificateNotAfter =
    "docbus_broker_certificate_not_after_timestamp_seconds";
inline constexpr std::string_view kCrlNextUpdate =
    "docbus_broker_crl_next_update_timestamp_seconds";
inline constexpr std::string_view kDataFree = "docbus_broker_data_free_bytes";
inline constexpr std::string_view kDataSize = "docbus_broker_data_size_bytes";
inline constexpr std::string_view kDiskRefusals =
    "docbus_broker_disk_refusals_total";
inline constexpr std::string_view kDiskExhausted =
    "docbus_broker_disk_exhausted";

// Declares every family above on `metrics`.
void DescribeBrokerMetrics(Metrics& metrics);

// `reason="<snake_case code>"`.
std::string ReasonLabel(Code code);

}  // namespace docbus::broker::metric
