// SqliteBrokerStore: the embedded BrokerStore, one SQLite database
// (<data_dir>/broker.db) in WAL mode with synchronous=FULL, so a Commit is
// durable when it returns. One connection, owned by the broker loop thread;
// every statement is prepared once at open. Attachments live in a table keyed
// by their SHA-256 (content-addressed, stored once however many documents
// carry them); large ones are stored and read a chunk at a time
// (sqlite_broker_uploads.cc). The audit log tables come from
// audit::SqliteLogStorage on the same connection, so audit entries commit with
// the state they describe.
// Schema and on-disk format: bus/store/README.md.
//
// Thread-safety: none (see BrokerStore).
#pragma once

#include <filesystem>
#include <memory>
#include <utility>

#include "bus/audit/sqlite_log_storage.h"
#include "bus/core/sqlite_db.h"
#include "bus/store/broker_store.h"
#include "bus/store/sqlite_broker_schema.h"

namespace docbus::store {

class SqliteBrokerStore final : public BrokerStore {
 public:
  // See OpenSqliteBrokerStore.
  static Result<std::unique_ptr<SqliteBrokerStore>> Open(
      const std::filesystem::path& data_dir);

  Status Begin() override;
  Status Commit() override;
  Status Rollback() override;

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

 private:
  explicit SqliteBrokerStore(std::unique_ptr<SqliteDb> db)
      : db_(std::move(db)) {}
  Status Init();
  Status Migrate();  // kMigrations the database has not had, one transaction
  struct UploadRow {
    int64_t rowid = 0;
    UploadProgress progress;
  };
  Result<std::optional<UploadRow>> FindUpload(const UploadKey& key);
  struct AttachmentRow {
    int64_t upload = 0;  // > 0: a large one, the chunks of this upload
    uint64_t size = 0;
    int64_t rowid = 0;  // a small one: its row in `attachments`
  };
  Result<AttachmentRow> FindAttachment(std::string_view sha256);  // kNotFound
  // At most `length` bytes of the attachment found, from `offset` (at most
  // its size) to the end of the blob or of the chunk holding it.
  Result<std::string> ReadFound(const AttachmentRow& found, uint64_t offset,
                                size_t length);
  // From `offset` to the end of the chunk of `upload` holding it, at most
  // `length` bytes.
  Result<std::string> ReadChunk(int64_t upload, uint64_t offset, size_t length);
  // The statement prepared at open, reset when the query ends.
  SqliteQuery Query(schema::Statement which) {
    return SqliteQuery(*stmts_[which]);
  }

  // Declared first: the audit storage's statements go before the connection.
  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<audit::SqliteLogStorage> audit_;
  SqliteStatement* stmts_[schema::kStatementCount] = {};
};

}  // namespace docbus::store
