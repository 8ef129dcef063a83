// AgentService: the facade over a running agent daemon, shared by its front
// ends (the loopback HTTP API, the drop folder, the `docbus` CLI through the
// API) and by tests. The daemon core implements it (agents/agent.h); front
// ends and tests only see this interface.
//
// Thread-safety: every call may be made from any thread at the same time.
// Submit and ReportStatus return only once the entry is committed to the
// agent's durable outbox; delivery to the broker then happens in the
// background until the broker answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agents/outbox_files.h"
#include "bus/core/metrics.h"
#include "bus/core/status.h"
#include "bus/document/time_zone.h"
#include "docbus/v1/document.pb.h"
#include "docbus/v1/notice.pb.h"

namespace docbus::agent {

struct AttachmentInput {
  std::string name;
  std::string media_type;
  std::string data;
  // Instead of `data` (which is then empty): the SHA-256 (32 raw bytes) of
  // an attachment already in the agent's outbox files (agents/outbox_files.h:
  // POST /v1/attachments, a multipart part, a large drop-folder file).
  std::string uploaded_sha256;
};

// What a caller submits. The caller fills the edXML fields of `header` (to,
// code, promulgation_info, document_type, subject, content, signer_info,
// due_date, priority, steering_type, response_for, business_*, to_places,
// staff_info, expires_unix_ms). The agent fills message_id, from.organ_id
// (its own agency; from's other fields are kept), created_unix_ms, the
// attachment manifest (name, media type, size, SHA-256), and document_id when
// empty (<own id>,<promulgation date or today
// yyyy/MM/dd>,<code_number>/<code_notation>).
//
// idempotency_key, when not empty (at most 128 bytes), makes a retry safe: a
// Submit whose key this agent already stored answers the first message id
// and stores nothing (the edXML bridge uses the SHA-256 of the envelope; the
// HTTP API takes an Idempotency-Key header on POST /v1/documents).
struct DocumentRequest {
  v1::DocumentHeader header;
  std::vector<AttachmentInput> attachments;
  std::string idempotency_key;
};

inline constexpr size_t kMaxIdempotencyKeyBytes = 128;

// A registered agency as the registry names it (for the edXML bridge).
struct AgencyName {
  std::string id;    // the docbus agency id
  std::string name;  // as in the registry
};

struct ReceiptView {
  std::string recipient;
  int64_t received_unix_ms = 0;  // when the recipient stored it (signed by it)
  int64_t arrived_unix_ms = 0;   // when this agent got the receipt (own clock)
};

struct StatusView {
  std::string status_id, message_id, from, to;
  int code = 0;
  std::string description;
  int64_t created_unix_ms = 0;
};

// Where a sent document stands for one of its recipients, from the revoke
// requests this agent sent and the statuses that recipient reported
// (agents/API.md, "Lifecycle"; the rules: bus/document/status_rules.h).
struct RecipientLifecycle {
  std::string recipient;
  // "valid" | "revoke_requested" | "revoked" | "revoke_refused"
  std::string state;
  int last_code = 0;  // the last of 01-06 it reported (0: none yet)
};

// Where a received document stands: the revoke handshake with its sender,
// and the later documents of that sender acting on its DocumentId
// (message ids, oldest first).
struct IncomingLifecycle {
  // The headline: "revoked", "revoke_requested", "revoked_by <message id>",
  // "replaced_by <message id>", "updated_by <message id>" (the latest),
  // "revoke_refused" or "valid", the first that applies.
  std::string state;
  std::string revoke;  // the handshake alone, as RecipientLifecycle::state
  int last_code = 0;   // the last of 01-06 this agent reported about it
  std::vector<std::string> revoked_by, updated_by, replaced_by;
};

struct OutgoingView {
  std::string message_id;
  std::string state;           // "pending" | "accepted" | "rejected"
  std::string reason, detail;  // when rejected: snake_case code name and detail
  int64_t audit_index = -1;    // broker log index once accepted
  std::vector<std::string> recipients;
  std::vector<ReceiptView> receipts;      // verified signed receipts received
  std::vector<StatusView> statuses;       // statuses received about it
  std::vector<std::string> dead_letters;  // recipients it expired for
  std::vector<RecipientLifecycle> lifecycle;  // per recipient, as recipients
  // The sender agent's own clock, for tracking and latency figures:
  int64_t submitted_unix_ms = 0;  // committed to the outbox
  int64_t accepted_unix_ms = 0;  // the broker's Accepted arrived (0 until then)
};

struct IncomingSummary {
  int64_t seq = 0;
  std::string message_id, sender, subject, document_id;
  int priority = 0;
  int64_t received_unix_ms = 0;
  IncomingLifecycle lifecycle;
};

struct IncomingDocument {
  IncomingSummary summary;
  std::string header_bytes;  // exact signed bytes
  std::string signature;     // detached CMS DER
  v1::DocumentHeader header;
  std::vector<AttachmentInput> attachments;
  // Manifest order: the file holding attachment i's bytes when it arrived in
  // chunks (its `data` is then empty; agents/attachment_files.h), else "".
  std::vector<std::filesystem::path> attachment_files;
  // The broker's hop (an edXML export's TraceHeader): when it accepted the
  // document, by its clock, and its relay id; 0 / "" when not told.
  int64_t broker_accepted_unix_ms = 0;
  std::string broker_relay_id;
};

// Which received documents a listing wants (agents/API.md, GET /v1/inbox):
// every condition given must hold. States are what this agent did with the
// document: "new" (it has reported no status about it) or "reported" (it
// has, e.g. 01 arrived or 03 accepted).
struct InboxQuery {
  int64_t after_seq = 0;
  int64_t limit = 100;
  std::string sender;          // "" = any
  int priority = -1;           // -1 = any
  int64_t since_unix_ms = -1;  // received at or after; -1 = any
  int64_t until_unix_ms = -1;  // received before; -1 = any
  std::string state;           // "" = any, "new" or "reported"
};

inline constexpr std::string_view kInboxStates[] = {"new", "reported"};

// Thread-safe facade over the running agent, used by the HTTP API, the drop
// folder and tests.
class AgentService {
 public:
  virtual ~AgentService() = default;
  // Validates, signs and stores the document in the durable outbox
  // (committed) before returning its message id; the agent then submits it
  // until the broker answers. Errors: kInvalidField / kTooLarge /
  // kUnknownRecipient (not in the registry) with a message naming the field.
  virtual Result<std::string> Submit(DocumentRequest request) = 0;
  // A writer for a new attachment streamed into the outbox files, to be
  // submitted by its SHA-256 (AttachmentInput::uploaded_sha256), at most
  // limits.max_attachment_bytes. kResourceExhausted while the data folder is
  // nearly full. The default: kUnavailable (a service without outbox files).
  virtual Result<std::unique_ptr<OutboxFiles::Writer>> BeginAttachment();
  // Sends a signed edXML status about a document (received: to its sender;
  // for 13: to a recipient). Returns the status id once durable.
  virtual Result<std::string> ReportStatus(std::string_view message_id,
                                           v1::StatusCode code,
                                           std::string description,
                                           std::string to = "") = 0;
  // One sent document's state; kNotFound when this agent never sent it.
  virtual Result<OutgoingView> Outgoing(std::string_view message_id) = 0;
  // The sent document's state once the broker answered it (Accepted or a
  // final Rejected), or as it stands after `wait` (then "pending"); only
  // the answer's fields (no receipts or statuses). The default: Outgoing at
  // once (a service that cannot wait).
  virtual Result<OutgoingView> AwaitAnswer(std::string_view message_id,
                                           std::chrono::milliseconds wait);
  // Sent documents, newest first.
  virtual Result<std::vector<OutgoingView>> ListOutgoing(int64_t limit) = 0;
  // Received documents with seq > after_seq, oldest first.
  virtual Result<std::vector<IncomingSummary>> ListIncoming(int64_t after_seq,
                                                            int64_t limit) = 0;
  // Received documents matching `query`, seq > after_seq, oldest first. The
  // default filters ListIncoming pages (a service without an index).
  virtual Result<std::vector<IncomingSummary>> ListInbox(
      const InboxQuery& query);
  // One received document, exact bytes; kNotFound when not in the inbox.
  virtual Result<IncomingDocument> Incoming(std::string_view message_id) = 0;
  // Statuses received (about any document) with seq > after_seq, oldest
  // first. Received statuses are numbered 1, 2, 3... without gaps (like the
  // inbox), so a reader's cursor is after_seq + the number it got.
  virtual Result<std::vector<StatusView>> ListStatusesReceived(
      int64_t after_seq, int64_t limit) = 0;
  virtual const std::string& agency_id() const = 0;
  virtual Metrics& metrics() = 0;

  // Lookups for the edXML bridge (agents/edxml). The defaults answer
  // kNotFound / UTC, so a service without them refuses what needs them.
  //
  // The agency whose id or alias id is `id_or_alias`; kUnknownAgency.
  virtual Result<AgencyName> ResolveAgency(std::string_view id_or_alias);
  // The message id of the document submitted with `key`; kNotFound.
  virtual Result<std::string> SubmittedWithKey(std::string_view key);
  // The received document `sender` sent as `document_id`; kNotFound.
  virtual Result<std::string> FindIncoming(std::string_view sender,
                                           std::string_view document_id);
  // The document this agency sent as `document_id` (the broker did not
  // refuse it); kNotFound.
  virtual Result<std::string> FindSent(std::string_view document_id);
  // A received status's signed body; kNotFound.
  virtual Result<v1::StatusBody> StatusReceived(std::string_view status_id);
  // The agency's time zone (agency.time_zone), for the times it writes.
  virtual const document::TimeZone& time_zone() const;
};

}  // namespace docbus::agent
