// BrokerStore: the broker's durable state behind one interface, so another
// backend (PostgreSQL) can replace the embedded SQLite one. It holds the
// accepted documents (exact signed header bytes), their attachments (by
// SHA-256), the status messages, the delivery queue of every agency, and the
// broker's audit log storage. Everything written between Begin() and Commit()
// becomes durable together -- documents, deliveries and the audit entries
// describing them -- which is what lets the broker answer only after a commit
// (group commit: one transaction per loop turn).
//
// Queues are read a page at a time in delivery order (priority DESC,
// delivery_id ASC); no call loads a whole queue.
//
// Thread-safety: none. One thread (the broker loop) owns a store and calls
// everything. Failures are Status: kIoError for the disk (retry later),
// kCorruption for a damaged database, kAlreadyExists for a uniqueness
// violation, kInternal otherwise.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/log_storage.h"
#include "bus/core/status.h"

namespace docbus::store {

// What a delivery row carries to its recipient.
enum class DeliveryKind : int {
  kDocument = 0,    // the document itself, to one of its recipients
  kReceipt = 1,     // a recipient's SignedReceipt, to the document's sender
  kStatus = 2,      // a SignedStatus, to its addressee
  kDeadLetter = 3,  // a DeadLetterNotice, to the document's sender
};

enum class DeliveryState : int {
  kQueued = 0,  // waiting for (or in flight to) its recipient
  kDone = 1,    // acknowledged
  kDead = 2,    // expired or refused by the recipient
};

// An accepted document.
struct DocumentRecord {
  int64_t id = 0;  // assigned by InsertDocument
  std::string sender;
  std::string message_id;
  std::string document_id;  // edXML DocumentId
  std::string header;       // exact signed bytes
  std::string signature;    // detached CMS DER
  std::string header_sha256;
  std::vector<std::string> attachment_sha256;  // manifest order
  std::vector<std::string> recipients;
  int32_t priority = 0;
  int64_t accepted_unix_ms = 0;
  int64_t audit_index = 0;  // of its AUDIT_ACCEPTED entry
};

// An accepted status message (edXML StatusBody).
struct StatusRecord {
  std::string status_id;
  std::string message_id;
  int64_t document = 0;  // DocumentRecord::id it refers to
  std::string reporter;
  std::string addressee;
  int32_t code = 0;
  std::string body_sha256;  // of the exact signed body bytes
  int64_t audit_index = 0;  // of its AUDIT_STATUS entry
  int64_t created_unix_ms = 0;   // the reporter's clock (signed in the body)
  int64_t accepted_unix_ms = 0;  // the broker's clock when it accepted it
};

struct DeliveryRecord {
  int64_t delivery_id = 0;  // assigned by InsertDelivery; increasing
  std::string recipient;
  DeliveryKind kind = DeliveryKind::kDocument;
  DeliveryState state = DeliveryState::kQueued;
  int32_t priority = 0;
  int64_t document = 0;    // DocumentRecord::id it is about
  std::string payload;     // serialized notice (not for kDocument)
  std::string status_id;   // kStatus: the status it carries
  int64_t size_bytes = 0;  // of the Deliver frame, for byte credit
  int64_t created_unix_ms = 0;
  int64_t expires_unix_ms = 0;     // 0 = never (notices)
  int64_t prior_audit_index = -1;  // the entry this delivery hands over
};

// A page entry of a recipient's queue: enough to plan a delivery.
struct QueuedDelivery {
  int64_t delivery_id = 0;
  int32_t priority = 0;
  int64_t size_bytes = 0;
};

// Position in a queue: deliveries strictly after (priority, delivery_id) in
// delivery order. A default cursor is the start of the queue.
struct QueueCursor {
  int32_t priority = 5;  // above the highest priority (4)
  int64_t delivery_id = 0;
};

// One attachment of a document being uploaded in chunks (proto/README.md,
// "Large attachments").
struct UploadKey {
  std::string sender;
  std::string message_id;
  uint32_t attachment = 0;  // index in the header's manifest
};

struct UploadProgress {
  uint64_t total_size = 0;
  uint64_t held = 0;  // bytes stored so far, from the start
};

class BrokerStore {
 public:
  virtual ~BrokerStore() = default;

  // One transaction at a time. Commit makes everything since Begin durable
  // (fsync) or fails and leaves nothing; Rollback discards it.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  // A store several brokers share (PostgreSQL) checks in every transaction
  // that this epoch of the broker lease is still the current one
  // (leader_lease.h); 0 checks nothing. Other stores ignore it.
  virtual void set_fence_epoch(int64_t epoch) { (void)epoch; }

  // Documents and attachments.
  virtual Result<std::optional<DocumentRecord>> FindDocument(
      std::string_view sender, std::string_view message_id) = 0;
  // The earliest document carrying this edXML DocumentId, `sender`'s own
  // first: another sender's only when `sender` has none (so that the caller
  // can tell "not yours" from "no such document").
  virtual Result<std::optional<DocumentRecord>> FindDocumentByDocumentId(
      std::string_view sender, std::string_view document_id) = 0;
  virtual Result<DocumentRecord> GetDocument(int64_t id) = 0;  // kNotFound
  // Just the document's attachment_sha256, without its header and signature
  // (read per fetched chunk). kNotFound.
  virtual Result<std::vector<std::string>> GetAttachmentDigests(int64_t id) = 0;
  // Fills record.id. kAlreadyExists for a second (sender, message_id).
  virtual Status InsertDocument(DocumentRecord& record) = 0;
  // Stores an attachment's bytes under its digest; a digest already stored
  // is left as is (content-addressed).
  virtual Status PutAttachment(std::string_view sha256,
                               std::string_view data) = 0;
  // The whole attachment, small or adopted from an upload. kNotFound.
  virtual Result<std::string> GetAttachment(std::string_view sha256) = 0;
  // Bytes of the attachment from `offset`: at most `length`, fewer where a
  // stored chunk ends (read on until the size); empty at the end. Read
  // without loading the rest. kNotFound; kInvalidField past the end.
  virtual Result<std::string> ReadAttachment(std::string_view sha256,
                                             uint64_t offset,
                                             size_t length) = 0;

  // Large attachments arrive a chunk at a time, in order. AppendUpload writes
  // `data` at `offset` (the upload is created at its first chunk) and returns
  // how many bytes the upload now holds; a chunk wholly held already, or one
  // that would leave a gap (offset beyond what is held), changes nothing.
  // kInvalidField: past total_size, or a total_size other than the upload's.
  virtual Result<uint64_t> AppendUpload(const UploadKey& key,
                                        uint64_t total_size, uint64_t offset,
                                        std::string_view data,
                                        int64_t now_unix_ms) = 0;
  virtual Result<std::optional<UploadProgress>> GetUpload(
      const UploadKey& key) = 0;
  // Like ReadAttachment, of what the upload holds.
  virtual Result<std::string> ReadUpload(const UploadKey& key, uint64_t offset,
                                         size_t length) = 0;
  // Makes the complete upload the attachment `sha256` (by reference, no
  // copy; an attachment already stored under that digest is kept instead)
  // and ends the upload.
  virtual Status AdoptUpload(const UploadKey& key, std::string_view sha256) = 0;
  // Deletes every upload of the document (it was refused or is stored).
  virtual Status DeleteUploads(std::string_view sender,
                               std::string_view message_id) = 0;
  // Deletes uploads begun before `unix_ms` and never submitted; how many.
  virtual Result<int64_t> DeleteUploadsBefore(int64_t unix_ms) = 0;

  // Status messages, deduplicated on status_id.
  virtual Result<std::optional<StatusRecord>> FindStatus(
      std::string_view status_id) = 0;
  virtual Status InsertStatus(
      const StatusRecord& record) = 0;  // kAlreadyExists
  // Every status about document `document` for its recipient `recipient`
  // (a 13 addressed to it, the others reported by it), in the order the
  // broker accepted them.
  virtual Result<std::vector<StatusRecord>> ListStatuses(
      int64_t document, std::string_view recipient) = 0;

  // Deliveries. InsertDelivery fills record.delivery_id.
  virtual Status InsertDelivery(DeliveryRecord& record) = 0;
  virtual Result<std::optional<DeliveryRecord>> GetDelivery(
      int64_t delivery_id) = 0;
  virtual Status SetDeliveryState(int64_t delivery_id, DeliveryState state,
                                  int64_t now_unix_ms) = 0;
  // Up to `limit` queued deliveries of `recipient` after `after`, in delivery
  // order.
  virtual Result<std::vector<QueuedDelivery>> NextQueued(
      std::string_view recipient, const QueueCursor& after, size_t limit) = 0;
  // Up to `limit` queued document deliveries whose expiry is <= now, oldest
  // expiry first (without payloads).
  virtual Result<std::vector<DeliveryRecord>> DueForExpiry(int64_t now_unix_ms,
                                                           size_t limit) = 0;
  // Queued deliveries per recipient (recipients with none are absent).
  virtual Result<std::map<std::string, int64_t>> QueueDepths() = 0;
  // created_unix_ms of the recipient's oldest queued delivery, if any.
  virtual Result<std::optional<int64_t>> OldestQueuedUnixMillis(
      std::string_view recipient) = 0;

  // The audit log's entries and hashes; they commit with the transaction.
  virtual audit::LogStorage& audit_storage() = 0;
  virtual Status SaveCheckpoint(uint64_t size,
                                std::string_view signed_note) = 0;
  virtual Result<std::optional<std::string>> LatestCheckpoint() = 0;
};

// Opens (creating when absent) <data_dir>/broker.db: WAL, synchronous=FULL,
// the schema, and every statement prepared once. kIoError when the folder or
// file cannot be used, kCorruption for a file that is not a broker database.
Result<std::unique_ptr<BrokerStore>> OpenSqliteBrokerStore(
    const std::filesystem::path& data_dir);

}  // namespace docbus::store
