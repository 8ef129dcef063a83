// PgBrokerStore: the BrokerStore on PostgreSQL (15 or later) through libpq,
// for a broker whose state must live on a database server (replicated,
// backed up) rather than in a local file. Same contract as the SQLite store:
// everything between Begin() and Commit() is one PostgreSQL transaction --
// documents (exact signed bytes in bytea), attachments and uploads as chunk
// rows, statuses, deliveries, and the audit log (PgLogStorage on the same
// connection) -- so the broker answers only what a COMMIT made durable.
// Tables and their meaning: FORMAT.md; schema versions: pg_schema.h.
//
// One connection, owned by the broker loop thread; every statement is
// prepared once per connection. Opened with the fencing epoch of the
// broker's lease (pg_leader_lease.h), every Begin() checks that epoch in the
// transaction it opens and holds the epoch row until it ends: once another
// broker has taken the lease, Begin() returns kFenced, and keeps doing so.
// When the connection is lost, the failing call returns kUnavailable (the
// broker rolls the turn back and sends none of its answers); the next
// Begin() reconnects, with backoff, and prepares again.
//
// Thread-safety: none (see BrokerStore).
#pragma once

#include <memory>
#include <string>

#include "bus/core/clock.h"
#include "bus/store/broker_store.h"
#include "bus/store/postgres/pg_broker_statements.h"
#include "bus/store/postgres/pg_connection.h"
#include "bus/store/postgres/pg_log_storage.h"

namespace docbus::store {

struct PostgresOptions {
  // A libpq connection string ("host=... port=... dbname=... user=...").
  // A password belongs in ~/.pgpass or PGPASSFILE rather than here; it is
  // never logged either way.
  std::string dsn;
  // Reconnect backoff after a lost connection, doubling from min to max.
  int64_t reconnect_min_backoff_ms = 100;
  int64_t reconnect_max_backoff_ms = 10'000;
  // Time for the backoff; nullptr = the real clock. Must outlive the store.
  const Clock* clock = nullptr;
  // The epoch of the broker's lease; 0: no fence (a store used by tools and
  // tests, never by a broker).
  int64_t fence_epoch = 0;
  // With a fence: a transaction idle this long is ended by the server.
  int64_t lease_ms = 5000;
};

// Connects, brings the schema to the newest version and prepares every
// statement. kUnavailable naming the DSN's host, port and database (never
// its password) when the server cannot be reached; kInvalidArgument for a DSN
// libpq cannot parse; kFailedPrecondition for a schema newer than this
// build's.
Result<std::unique_ptr<BrokerStore>> OpenPostgresBrokerStore(
    const PostgresOptions& options);

namespace pg {

class PgBrokerStore final : public BrokerStore {
 public:
  static Result<std::unique_ptr<PgBrokerStore>> Open(
      const PostgresOptions& options);

  Status Begin() override;
  Status Commit() override;
  Status Rollback() override;
  void set_fence_epoch(int64_t epoch) override;

  Result<std::optional<DocumentRecord>> FindDocument(
      std::string_view sender, std::string_view message_id) override;
  Result<std::optional<DocumentRecord>> FindDocumentByDocumentId(
      std::string_view sender, std::string_view document_id) override;
  Result<DocumentRecord> GetDocument(int64_t id) override;
  Result<std::vector<std::string>> GetAttachmentDigests(int64_t id) override;
  Status InsertDocument(DocumentRecord& record) override;
  Status PutAttachment(std::string_view sha256, std::string_view data) override;
  Result<std::string> GetAttachment(std::string_view sha256) override;
  Result<std::string> ReadAttachment(std::string_view sha256, uint64_t offset,
                                     size_t length) override;
  Result<uint64_t> AppendUpload(const UploadKey& key, uint64_t total_size,
                                uint64_t offset, std::string_view data,
                                int64_t now_unix_ms) override;
  Result<std::optional<UploadProgress>> GetUpload(
      const UploadKey& key) override;
  Result<std::string> ReadUpload(const UploadKey& key, uint64_t offset,
                                 size_t length) override;
  Status AdoptUpload(const UploadKey& key, std::string_view sha256) override;
  Status DeleteUploads(std::string_view sender,
                       std::string_view message_id) override;
  Result<int64_t> DeleteUploadsBefore(int64_t unix_ms) override;

  Result<std::optional<StatusRecord>> FindStatus(
      std::string_view status_id) override;
  Status InsertStatus(const StatusRecord& record) override;
  Result<std::vector<StatusRecord>> ListStatuses(
      int64_t document, std::string_view recipient) override;

  Status InsertDelivery(DeliveryRecord& record) override;
  Result<std::optional<DeliveryRecord>> GetDelivery(
      int64_t delivery_id) override;
  Status SetDeliveryState(int64_t delivery_id, DeliveryState state,
                          int64_t now_unix_ms) override;
  Result<std::vector<QueuedDelivery>> NextQueued(std::string_view recipient,
                                                 const QueueCursor& after,
                                                 size_t limit) override;
  Result<std::vector<DeliveryRecord>> DueForExpiry(int64_t now_unix_ms,
                                                   size_t limit) override;
  Result<std::map<std::string, int64_t>> QueueDepths() override;
  Result<std::optional<int64_t>> OldestQueuedUnixMillis(
      std::string_view recipient) override;

  audit::LogStorage& audit_storage() override { return *audit_; }
  Status SaveCheckpoint(uint64_t size, std::string_view signed_note) override;
  Result<std::optional<std::string>> LatestCheckpoint() override;

  // The connection, for its counters (losses, failed reconnects) and for
  // tests that cut it.
  const PgConnection& connection() const { return *conn_; }

 private:
  PgBrokerStore() = default;
  Result<PgResult> Run(Statement which, const PgParams& params) {
    return conn_->Run(StatementName(which), params);
  }
  struct UploadRow {
    int64_t id = 0;
    UploadProgress progress;
  };
  Result<std::optional<UploadRow>> FindUpload(const UploadKey& key);
  struct AttachmentRow {
    int64_t upload = 0;  // > 0: a large one, the chunks of this upload
    uint64_t size = 0;
    int64_t id = 0;  // a small one: its row in `attachments`
  };
  Result<AttachmentRow> FindAttachment(std::string_view sha256);  // kNotFound
  Result<std::string> ReadFound(const AttachmentRow& found, uint64_t offset,
                                size_t length);
  Result<std::string> ReadChunk(int64_t upload, uint64_t offset, size_t length);

  Status FencedStatus() const;

  RealClock real_clock_;
  std::unique_ptr<PgConnection> conn_;
  int64_t fence_epoch_ = 0;
  int64_t current_epoch_ = 0;  // as the last fenced Begin read it
  bool fenced_ = false;
  std::unique_ptr<PgLogStorage> audit_;
  bool in_transaction_ = false;
};

}  // namespace pg
}  // namespace docbus::store
