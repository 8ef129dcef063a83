#include "bus/store/sqlite_broker_store.h"

#include <algorithm>
#include <system_error>
#include <utility>

#include "bus/store/record_columns.h"

namespace docbus::store {
namespace {

Result<DocumentRecord> ReadDocumentRow(const SqliteStatement& st) {
  DocumentRecord d;
  d.id = st.Int(0);
  d.sender = st.Text(1);
  d.message_id = st.Text(2);
  d.document_id = st.Text(3);
  d.header = st.Blob(4);
  d.signature = st.Blob(5);
  d.header_sha256 = st.Blob(6);
  DOCBUS_ASSIGN_OR_RETURN(d.attachment_sha256,
                          SplitDigests(d.id, st.BlobView(7)));
  d.recipients = SplitLines(st.Text(8));
  d.priority = static_cast<int32_t>(st.Int(9));
  d.accepted_unix_ms = st.Int(10);
  d.audit_index = st.Int(11);
  return d;
}

DeliveryRecord ReadDeliveryRow(const SqliteStatement& st) {
  DeliveryRecord d;
  d.delivery_id = st.Int(0);
  d.recipient = st.Text(1);
  d.kind = static_cast<DeliveryKind>(st.Int(2));
  d.state = static_cast<DeliveryState>(st.Int(3));
  d.priority = static_cast<int32_t>(st.Int(4));
  d.document = st.Int(5);
  d.payload = st.Blob(6);
  d.status_id = st.Text(7);
  d.size_bytes = st.Int(8);
  d.created_unix_ms = st.Int(9);
  d.expires_unix_ms = st.Int(10);
  d.prior_audit_index = st.Int(11);
  return d;
}

StatusRecord ReadStatusRow(const SqliteStatement& st) {
  StatusRecord r;
  r.status_id = st.Text(0);
  r.message_id = st.Text(1);
  r.document = st.Int(2);
  r.reporter = st.Text(3);
  r.addressee = st.Text(4);
  r.code = static_cast<int32_t>(st.Int(5));
  r.body_sha256 = st.Blob(6);
  r.audit_index = st.Int(7);
  r.created_unix_ms = st.Int(8);
  r.accepted_unix_ms = st.Int(9);
  return r;
}

}  // namespace

Result<std::unique_ptr<BrokerStore>> OpenSqliteBrokerStore(
    const std::filesystem::path& data_dir) {
  DOCBUS_ASSIGN_OR_RETURN(auto store, SqliteBrokerStore::Open(data_dir));
  return std::unique_ptr<BrokerStore>(std::move(store));
}

Result<std::unique_ptr<SqliteBrokerStore>> SqliteBrokerStore::Open(
    const std::filesystem::path& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return Status(Code::kIoError, "cannot create data dir " +
                                      data_dir.string() + ": " + ec.message());
  }
  const std::filesystem::path file = data_dir / "broker.db";
  DOCBUS_ASSIGN_OR_RETURN(
      auto db, SqliteDb::Open(file, SqliteOpenOptions{.exclusive = true,
                                                      .cache_kib = 32768}));
  std::unique_ptr<SqliteBrokerStore> store(
      new SqliteBrokerStore(std::move(db)));
  Status s = store->Init();
  if (!s.ok()) return s.Prefixed(file.string());
  return store;
}

Status SqliteBrokerStore::Init() {
  DOCBUS_RETURN_IF_ERROR(db_->Exec(schema::kTables));
  DOCBUS_RETURN_IF_ERROR(Migrate());
  DOCBUS_RETURN_IF_ERROR(audit::SqliteLogStorage::CreateTables(db_->handle()));
  audit_ = std::make_unique<audit::SqliteLogStorage>(db_->handle());
  for (int i = 0; i < schema::kStatementCount; ++i) {
    DOCBUS_ASSIGN_OR_RETURN(
        stmts_[i],
        db_->Compile(schema::StatementSql(static_cast<schema::Statement>(i))));
  }
  return Status::Ok();
}

Status SqliteBrokerStore::Migrate() {
  // user_version 0 is a database of the first schema (kTables), fresh or
  // from before versions were counted; N > 0 has had migrations 0..N-2.
  int64_t have = 1;
  {
    DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q, db_->Prepare("PRAGMA user_version"));
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (row) have = std::max<int64_t>(q->Int(0), 1);
  }
  const int64_t latest = schema::kMigrationCount + 1;
  if (have > latest) {
    return Status(Code::kCorruption, "schema version " + std::to_string(have) +
                                         " is newer than this broker's " +
                                         std::to_string(latest));
  }
  if (have == latest) return Status::Ok();
  std::string sql = "BEGIN;";
  for (int64_t v = have; v < latest; ++v) sql += schema::kMigrations[v - 1];
  sql += "PRAGMA user_version = " + std::to_string(latest) + "; COMMIT;";
  Status s = db_->Exec(sql);
  if (!s.ok()) {
    (void)db_->Exec("ROLLBACK");
    return s.Prefixed("schema migration to version " + std::to_string(latest));
  }
  return Status::Ok();
}

Status SqliteBrokerStore::Begin() {
  if (db_->in_transaction()) {
    return Status(Code::kFailedPrecondition, "a transaction is already open");
  }
  return db_->Begin();
}

Status SqliteBrokerStore::Commit() {
  if (!db_->in_transaction()) {
    return Status(Code::kFailedPrecondition, "no transaction");
  }
  return db_->Commit();
}

Status SqliteBrokerStore::Rollback() { return db_->Rollback(); }

Result<std::optional<DocumentRecord>> SqliteBrokerStore::FindDocument(
    std::string_view sender, std::string_view message_id) {
  SqliteQuery q = Query(schema::kFindDocument);
  q->BindText(1, sender).BindText(2, message_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<DocumentRecord>();
  DOCBUS_ASSIGN_OR_RETURN(DocumentRecord doc, ReadDocumentRow(*q));
  return std::optional<DocumentRecord>(std::move(doc));
}

Result<std::optional<DocumentRecord>>
SqliteBrokerStore::FindDocumentByDocumentId(std::string_view sender,
                                            std::string_view document_id) {
  SqliteQuery q = Query(schema::kFindDocumentByDocumentId);
  q->BindText(1, sender).BindText(2, document_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<DocumentRecord>();
  DOCBUS_ASSIGN_OR_RETURN(DocumentRecord doc, ReadDocumentRow(*q));
  return std::optional<DocumentRecord>(std::move(doc));
}

Result<DocumentRecord> SqliteBrokerStore::GetDocument(int64_t id) {
  SqliteQuery q = Query(schema::kGetDocument);
  q->Bind(1, id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return Status(Code::kNotFound, "no document " + std::to_string(id));
  return ReadDocumentRow(*q);
}

Result<std::vector<std::string>> SqliteBrokerStore::GetAttachmentDigests(
    int64_t id) {
  SqliteQuery q = Query(schema::kGetAttachmentDigests);
  q->Bind(1, id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return Status(Code::kNotFound, "no document " + std::to_string(id));
  return SplitDigests(id, q->BlobView(0));
}

Status SqliteBrokerStore::InsertDocument(DocumentRecord& record) {
  DOCBUS_ASSIGN_OR_RETURN(std::string digests,
                          JoinDigests(record.attachment_sha256));
  SqliteQuery q = Query(schema::kInsertDocument);
  q->BindText(1, record.sender)
      .BindText(2, record.message_id)
      .BindText(3, record.document_id)
      .BindBlobNoCopy(4, record.header)
      .BindBlobNoCopy(5, record.signature)
      .BindBlob(6, record.header_sha256)
      .BindBlob(7, digests)
      .BindText(8, JoinLines(record.recipients))
      .Bind(9, record.priority)
      .Bind(10, record.accepted_unix_ms)
      .Bind(11, record.audit_index);
  DOCBUS_RETURN_IF_ERROR(q->Run());
  record.id = db_->last_insert_rowid();
  return Status::Ok();
}

Status SqliteBrokerStore::PutAttachment(std::string_view sha256,
                                        std::string_view data) {
  SqliteQuery q = Query(schema::kPutAttachment);
  q->BindBlob(1, sha256).BindBlobNoCopy(2, data);
  return q->Run();
}

Result<std::optional<StatusRecord>> SqliteBrokerStore::FindStatus(
    std::string_view status_id) {
  SqliteQuery q = Query(schema::kFindStatus);
  q->BindText(1, status_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<StatusRecord>();
  return std::optional<StatusRecord>(ReadStatusRow(*q));
}

Result<std::vector<StatusRecord>> SqliteBrokerStore::ListStatuses(
    int64_t document, std::string_view recipient) {
  SqliteQuery q = Query(schema::kListStatuses);
  q->Bind(1, document).BindText(2, recipient);
  std::vector<StatusRecord> out;
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(ReadStatusRow(*q));
  }
  return out;
}

Status SqliteBrokerStore::InsertStatus(const StatusRecord& r) {
  SqliteQuery q = Query(schema::kInsertStatus);
  q->BindText(1, r.status_id)
      .BindText(2, r.message_id)
      .Bind(3, r.document)
      .BindText(4, r.reporter)
      .BindText(5, r.addressee)
      .Bind(6, r.code)
      .BindBlob(7, r.body_sha256)
      .Bind(8, r.audit_index)
      .Bind(9, r.created_unix_ms)
      .Bind(10, r.accepted_unix_ms);
  return q->Run();
}

Status SqliteBrokerStore::InsertDelivery(DeliveryRecord& r) {
  SqliteQuery q = Query(schema::kInsertDelivery);
  q->BindText(1, r.recipient)
      .Bind(2, static_cast<int>(r.kind))
      .Bind(3, static_cast<int>(r.state))
      .Bind(4, r.priority)
      .Bind(5, r.document)
      .BindBlobNoCopy(6, r.payload)
      .BindText(7, r.status_id)
      .Bind(8, r.size_bytes)
      .Bind(9, r.created_unix_ms)
      .Bind(10, r.expires_unix_ms)
      .Bind(11, r.prior_audit_index);
  DOCBUS_RETURN_IF_ERROR(q->Run());
  r.delivery_id = db_->last_insert_rowid();
  return Status::Ok();
}

Result<std::optional<DeliveryRecord>> SqliteBrokerStore::GetDelivery(
    int64_t delivery_id) {
  SqliteQuery q = Query(schema::kGetDelivery);
  q->Bind(1, delivery_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<DeliveryRecord>();
  return std::optional<DeliveryRecord>(ReadDeliveryRow(*q));
}

Status SqliteBrokerStore::SetDeliveryState(int64_t delivery_id,
                                           DeliveryState state,
                                           int64_t now_unix_ms) {
  SqliteQuery q = Query(schema::kSetDeliveryState);
  q->Bind(1, delivery_id).Bind(2, static_cast<int>(state)).Bind(3, now_unix_ms);
  DOCBUS_RETURN_IF_ERROR(q->Run());
  if (db_->changes() != 1) {
    return Status(Code::kNotFound,
                  "no delivery " + std::to_string(delivery_id));
  }
  return Status::Ok();
}

Result<std::vector<QueuedDelivery>> SqliteBrokerStore::NextQueued(
    std::string_view recipient, const QueueCursor& after, size_t limit) {
  std::vector<QueuedDelivery> out;
  for (int32_t p = std::min(after.priority, kHighestPriority);
       p >= 0 && out.size() < limit; --p) {
    SqliteQuery q = Query(schema::kNextQueuedAtPriority);
    q->BindText(1, recipient)
        .Bind(2, p)
        .Bind(3, p == after.priority ? after.delivery_id : 0)
        .Bind(4, static_cast<int64_t>(limit - out.size()));
    while (true) {
      DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      out.push_back(QueuedDelivery{q->Int(0), static_cast<int32_t>(q->Int(1)),
                                   q->Int(2)});
    }
  }
  return out;
}

Result<std::vector<DeliveryRecord>> SqliteBrokerStore::DueForExpiry(
    int64_t now_unix_ms, size_t limit) {
  std::vector<DeliveryRecord> out;
  SqliteQuery q = Query(schema::kDueForExpiry);
  q->Bind(1, now_unix_ms).Bind(2, static_cast<int64_t>(limit));
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(ReadDeliveryRow(*q));
  }
  return out;
}

Result<std::map<std::string, int64_t>> SqliteBrokerStore::QueueDepths() {
  std::map<std::string, int64_t> out;
  SqliteQuery q = Query(schema::kQueueDepths);
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out[q->Text(0)] = q->Int(1);
  }
  return out;
}

Result<std::optional<int64_t>> SqliteBrokerStore::OldestQueuedUnixMillis(
    std::string_view recipient) {
  // Ids grow with time, so the oldest is the smallest id over the five
  // priority levels: five index seeks, whatever the queue length.
  std::optional<int64_t> oldest_id;
  for (int32_t p = 0; p <= kHighestPriority; ++p) {
    SqliteQuery q = Query(schema::kOldestQueuedAtPriority);
    q->BindText(1, recipient).Bind(2, p);
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (row) oldest_id = std::min(oldest_id.value_or(q->Int(0)), q->Int(0));
  }
  if (!oldest_id) return std::optional<int64_t>();
  SqliteQuery q = Query(schema::kDeliveryCreated);
  q->Bind(1, *oldest_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(q->Int(0));
}

Status SqliteBrokerStore::SaveCheckpoint(uint64_t size,
                                         std::string_view signed_note) {
  return audit_->SaveCheckpoint(size, signed_note);
}

Result<std::optional<std::string>> SqliteBrokerStore::LatestCheckpoint() {
  return audit_->LatestCheckpoint();
}

}  // namespace docbus::store
