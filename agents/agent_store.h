// AgentStore: the agent's durable state in one SQLite file
// (<data_dir>/agent.db, WAL, synchronous=FULL): the outbox (the exact Submit /
// SubmitStatus frames until the broker answers), the inbox (received
// documents with their exact signed bytes, attachments and the receipt we
// signed), receipts, statuses and dead letters received, statuses sent, the
// latest broker checkpoint, and the agency's own audit log (audit tables of
// audit::SqliteLogStorage on the same connection, so every audit entry
// commits with the state it describes). The schema is documented in
// agents/README.md.
//
// Writes happen inside Begin()/Commit() opened by the caller (group commit:
// one transaction per loop turn). Every call returns kIoError (with SQLite's
// message) on a storage failure; the caller then rolls back the turn.
//
// Thread-safety: none; the agent's loop thread owns the writer. Readers use
// AgentStoreReader on their own connection.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agents/agent_service.h"
#include "bus/audit/sqlite_log_storage.h"
#include "bus/core/sqlite_db.h"
#include "bus/core/status.h"

namespace docbus::agent {

enum class OutboxKind : int { kDocument = 0, kStatus = 1 };
enum class OutboxState : int { kPending = 0, kAccepted = 1, kRejected = 2 };

// One outbox entry: a document or a status message we submit.
struct OutboxEntry {
  int64_t seq = 0;         // assigned by AddOutbox; submission order
  std::string message_id;  // the document's message id or the status id
  OutboxKind kind = OutboxKind::kDocument;
  std::string about_message_id;         // status: the document it is about
  std::vector<std::string> recipients;  // status: its addressee
  std::string document_id;
  std::string header_sha256;  // of the exact signed header / status body
  std::string
      attachment_sha256;        // concatenated 32-byte digests, manifest order
  std::string evidence_sha256;  // status: of the serialized SignedStatus
  int status_code = 0;
  int64_t created_unix_ms = 0;
  std::string frame;  // exact serialized v1::Frame (empty when not loaded)
  // A document whose frame is Submit{chunked}: its attachment bytes are in
  // the outbox files, named by attachment_sha256 (agents/outbox_files.h).
  bool attachments_in_files = false;
  // A document's DocumentRequest::idempotency_key ("" when none), kept in
  // outbox_keys; written by AddOutbox only (FindOutbox leaves it empty).
  std::string idempotency_key;
  // The broker's answer.
  OutboxState state = OutboxState::kPending;
  std::string reason, detail;
  int64_t audit_index = -1;  // broker log index
  int64_t own_index = -1;    // our log's SENT / STATUS_SENT index
};

// A frame waiting to be sent.
struct PendingFrame {
  int64_t seq = 0;
  std::string message_id;
  std::string frame;
  bool attachments_in_files = false;  // as OutboxEntry's
};

// One received document as stored.
struct InboxEntry {
  std::string message_id, sender, subject, document_id;
  int priority = 0;
  int64_t received_unix_ms = 0;
  std::string header_bytes, signature;
  std::string receipt;  // serialized SignedReceipt we signed
  std::vector<AttachmentInput> attachments;
  std::vector<std::string> attachment_sha256;  // manifest order
  // Manifest order: true when the attachment's bytes are in its
  // AttachmentFiles file (fetched in chunks), its data then empty.
  std::vector<bool> attachment_in_file;
  // The broker's hop (DocumentDelivery), kept in inbox_broker_hops.
  int64_t broker_accepted_unix_ms = 0;
  std::string broker_relay_id;
};

struct StatusEntry {
  std::string status_id, message_id, from, to;
  int code = 0;
  std::string description;
  int64_t created_unix_ms = 0;
  std::string signed_status;  // serialized SignedStatus (received only)
};

class AgentStore {
 public:
  // How long the writer's and the readers' connections wait for a lock the
  // other holds before failing with kIoError.
  static constexpr int kBusyTimeoutMs = 10000;

  // Opens or creates <data_dir>/agent.db and its schema.
  static Result<std::unique_ptr<AgentStore>> Open(
      const std::filesystem::path& data_dir);
  static std::filesystem::path DatabasePath(
      const std::filesystem::path& data_dir);

  Status Begin() { return db_->Begin(); }
  Status Commit() { return db_->Commit(); }
  // Best effort: a rollback that fails leaves SQLite to undo the
  // transaction when the connection closes.
  void Rollback() { (void)db_->Rollback(); }

  // The own audit log's storage (same connection, same transactions).
  audit::SqliteLogStorage& log_storage() { return *log_storage_; }

  // Outbox. AddOutbox assigns entry.seq; kAlreadyExists for a known id.
  Status AddOutbox(OutboxEntry& entry);
  // The entry without its frame, or nullopt.
  Result<std::optional<OutboxEntry>> FindOutbox(std::string_view message_id);
  // Records the broker's answer if the entry is still pending, and drops
  // the frame bytes (never sent again); false when it was already answered
  // (a duplicate answer changes nothing).
  Result<bool> AnswerOutbox(std::string_view message_id, OutboxState state,
                            std::string_view reason, std::string_view detail,
                            int64_t audit_index, int64_t own_index,
                            int64_t now_unix_ms);
  // Pending entries with seq > after_seq in seq order, at most `limit`, and
  // no more once their frames reach `max_bytes` (at least one).
  Result<std::vector<PendingFrame>> PendingFrames(
      int64_t after_seq, int limit, int64_t max_bytes = INT64_MAX);
  Result<int64_t> CountPending();

  // Inbox. FindInbox returns the entry's header bytes and receipt only.
  Result<std::optional<InboxEntry>> FindInbox(std::string_view message_id);
  Status AddInbox(const InboxEntry& entry);

  // Fetches of chunked documents in progress (inbox_fetches): how far the
  // partial file of attachment `attachment` of `message_id` is known to be
  // durable, 0 when unknown or recorded for another digest.
  Result<uint64_t> FetchOffset(std::string_view message_id, int64_t attachment,
                               std::string_view sha256);
  Status SaveFetch(std::string_view message_id, int64_t attachment,
                   std::string_view sha256, uint64_t offset);
  // Forgets the fetches of a document (stored, refused or given up).
  Status DropFetches(std::string_view message_id);

  // Notices; each returns false when it was already stored (duplicate).
  Result<bool> AddReceipt(std::string_view message_id,
                          std::string_view recipient, int64_t received_unix_ms,
                          std::string_view signed_receipt,
                          int64_t arrived_unix_ms);
  Result<bool> AddStatusReceived(const StatusEntry& status);
  Status AddStatusSent(const StatusEntry& status);
  Result<bool> AddDeadLetter(std::string_view message_id,
                             std::string_view recipient,
                             int64_t expired_unix_ms,
                             int64_t broker_audit_index);

  // The latest broker checkpoint we accepted (signed note), or nullopt.
  Result<std::optional<std::string>> BrokerCheckpoint();
  Status SaveBrokerCheckpoint(uint64_t size, std::string_view signed_note);

 private:
  explicit AgentStore(std::unique_ptr<SqliteDb> db);
  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<audit::SqliteLogStorage> log_storage_;
};

// "a\nb" <-> {"a", "b"}: how recipient lists are stored.
std::string JoinLines(const std::vector<std::string>& items);
std::vector<std::string> SplitLines(std::string_view text);

}  // namespace docbus::agent
