#include "bus/store/sqlite_broker_store.h"

#include <system_error>
#include <utility>

#include "bus/store/sqlite_broker_schema.h"

namespace docbus::store {
namespace {

constexpr size_t kDigestBytes = 32;

std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back('\n');
    out += items[i];
  }
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    const size_t nl = text.find('\n', start);
    out.push_back(text.substr(start, nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
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

}  // namespace

Result<std::unique_ptr<BrokerStore>> OpenSqliteBrokerStore(
    const std::filesystem::path& data_dir) {
  auto store = SqliteBrokerStore::Open(data_dir);
  if (!store.ok()) return store.status();
  return std::unique_ptr<BrokerStore>(std::move(store).value());
}

Result<std::unique_ptr<SqliteBrokerStore>> SqliteBrokerStore::Open(
    const std::filesystem::path& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return Status(Code::kIoError, "cannot create data dir " +
                                      data_dir.string() + ": " + ec.message());
  }
  const std::string file = (data_dir / "broker.db").string();
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      file.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, "open " + file);
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<SqliteBrokerStore> store(new SqliteBrokerStore(db));
  Status s = store->Init();
  if (!s.ok()) return Status(s.code(), file + ": " + s.message());
  return store;
}

SqliteBrokerStore::~SqliteBrokerStore() {
  if (in_transaction_) (void)SqliteExec(db_, "ROLLBACK");
  audit_.reset();
  for (auto& st : stmts_) st = SqliteStatement();
  sqlite3_close(db_);
}

Status SqliteBrokerStore::Init() {
  sqlite3_extended_result_codes(db_, 1);
  // WAL + FULL: a commit is on disk (WAL fsynced) before Commit returns.
  DOCBUS_RETURN_IF_ERROR(SqliteExec(db_,
                                    "PRAGMA journal_mode=WAL;"
                                    "PRAGMA synchronous=FULL;"
                                    "PRAGMA foreign_keys=OFF;"
                                    "PRAGMA temp_store=MEMORY;"
                                    "PRAGMA cache_size=-32768;"
                                    "PRAGMA busy_timeout=5000;"));
  DOCBUS_RETURN_IF_ERROR(SqliteExec(db_, schema::kTables));
  DOCBUS_RETURN_IF_ERROR(audit::SqliteLogStorage::CreateTables(db_));
  audit_ = std::make_unique<audit::SqliteLogStorage>(db_);

  for (int i = 0; i < schema::kStatementCount; ++i) {
    DOCBUS_ASSIGN_OR_RETURN(
        stmts_[i],
        SqliteStatement::Prepare(
            db_, schema::StatementSql(static_cast<schema::Statement>(i))));
  }
  return Status::Ok();
}

Status SqliteBrokerStore::Begin() {
  if (in_transaction_) {
    return Status(Code::kFailedPrecondition, "a transaction is already open");
  }
  DOCBUS_RETURN_IF_ERROR(S(schema::kBegin).Run());
  in_transaction_ = true;
  return Status::Ok();
}

Status SqliteBrokerStore::Commit() {
  if (!in_transaction_)
    return Status(Code::kFailedPrecondition, "no transaction");
  Status s = S(schema::kCommit).Run();
  if (!s.ok()) {
    // A failed COMMIT may leave the transaction open; make sure nothing of it
    // survives.
    if (!sqlite3_get_autocommit(db_)) (void)S(schema::kRollback).Run();
  }
  in_transaction_ = false;
  return s;
}

Status SqliteBrokerStore::Rollback() {
  if (!in_transaction_) return Status::Ok();
  in_transaction_ = false;
  if (sqlite3_get_autocommit(db_)) return Status::Ok();  // SQLite rolled back
  return S(schema::kRollback).Run();
}

Result<DocumentRecord> SqliteBrokerStore::ReadDocumentRow(SqliteStatement& st) {
  DocumentRecord d;
  d.id = st.Int(0);
  d.sender = st.Text(1);
  d.message_id = st.Text(2);
  d.document_id = st.Text(3);
  d.header = st.Blob(4);
  d.signature = st.Blob(5);
  d.header_sha256 = st.Blob(6);
  const std::string digests = st.Blob(7);
  if (digests.size() % kDigestBytes != 0) {
    return Status(Code::kCorruption, "document " + std::to_string(d.id) +
                                         ": attachment digests damaged");
  }
  for (size_t i = 0; i < digests.size(); i += kDigestBytes) {
    d.attachment_sha256.push_back(digests.substr(i, kDigestBytes));
  }
  d.recipients = SplitLines(st.Text(8));
  d.priority = static_cast<int32_t>(st.Int(9));
  d.accepted_unix_ms = st.Int(10);
  d.audit_index = st.Int(11);
  return d;
}

Result<std::optional<DocumentRecord>> SqliteBrokerStore::FindDocument(
    std::string_view sender, std::string_view message_id) {
  SqliteStatement& st = S(schema::kFindDocument);
  st.BindText(1, sender).BindText(2, message_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, st.Step());
  std::optional<DocumentRecord> out;
  if (row) {
    auto doc = ReadDocumentRow(st);
    if (!doc.ok()) {
      st.Reset();
      return doc.status();
    }
    out = std::move(doc).value();
  }
  st.Reset();
  return out;
}

Result<DocumentRecord> SqliteBrokerStore::GetDocument(int64_t id) {
  SqliteStatement& st = S(schema::kGetDocument);
  st.Bind(1, id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) {
    st.Reset();
    return Status(Code::kNotFound, "no document " + std::to_string(id));
  }
  auto doc = ReadDocumentRow(st);
  st.Reset();
  return doc;
}

Status SqliteBrokerStore::InsertDocument(DocumentRecord& record) {
  std::string digests;
  for (const std::string& d : record.attachment_sha256) {
    if (d.size() != kDigestBytes) {
      return Status(Code::kInvalidArgument,
                    "attachment digest is not 32 bytes");
    }
    digests += d;
  }
  const std::string recipients = JoinLines(record.recipients);
  SqliteStatement& st = S(schema::kInsertDocument);
  st.BindText(1, record.sender)
      .BindText(2, record.message_id)
      .BindText(3, record.document_id)
      .BindBlob(4, record.header)
      .BindBlob(5, record.signature)
      .BindBlob(6, record.header_sha256)
      .BindBlob(7, digests)
      .BindText(8, recipients)
      .Bind(9, record.priority)
      .Bind(10, record.accepted_unix_ms)
      .Bind(11, record.audit_index);
  DOCBUS_RETURN_IF_ERROR(st.Run());
  record.id = sqlite3_last_insert_rowid(db_);
  return Status::Ok();
}

Status SqliteBrokerStore::PutAttachment(std::string_view sha256,
                                        std::string_view data) {
  SqliteStatement& st = S(schema::kPutAttachment);
  st.BindBlob(1, sha256).BindBlob(2, data);
  return st.Run();
}

Result<std::string> SqliteBrokerStore::GetAttachment(std::string_view sha256) {
  SqliteStatement& st = S(schema::kGetAttachment);
  st.BindBlob(1, sha256);
  DOCBUS_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) {
    st.Reset();
    return Status(Code::kNotFound, "no attachment with that digest");
  }
  std::string data = st.Blob(0);
  st.Reset();
  return data;
}

Result<std::optional<StatusRecord>> SqliteBrokerStore::FindStatus(
    std::string_view status_id) {
  SqliteStatement& st = S(schema::kFindStatus);
  st.BindText(1, status_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, st.Step());
  std::optional<StatusRecord> out;
  if (row) {
    StatusRecord r;
    r.status_id = st.Text(0);
    r.message_id = st.Text(1);
    r.document = st.Int(2);
    r.reporter = st.Text(3);
    r.addressee = st.Text(4);
    r.code = static_cast<int32_t>(st.Int(5));
    r.body_sha256 = st.Blob(6);
    r.audit_index = st.Int(7);
    out = std::move(r);
  }
  st.Reset();
  return out;
}

Status SqliteBrokerStore::InsertStatus(const StatusRecord& r) {
  SqliteStatement& st = S(schema::kInsertStatus);
  st.BindText(1, r.status_id)
      .BindText(2, r.message_id)
      .Bind(3, r.document)
      .BindText(4, r.reporter)
      .BindText(5, r.addressee)
      .Bind(6, r.code)
      .BindBlob(7, r.body_sha256)
      .Bind(8, r.audit_index);
  return st.Run();
}

Status SqliteBrokerStore::InsertDelivery(DeliveryRecord& r) {
  SqliteStatement& st = S(schema::kInsertDelivery);
  st.BindText(1, r.recipient)
      .Bind(2, static_cast<int>(r.kind))
      .Bind(3, static_cast<int>(r.state))
      .Bind(4, r.priority)
      .Bind(5, r.document)
      .BindBlob(6, r.payload)
      .BindText(7, r.status_id)
      .Bind(8, r.size_bytes)
      .Bind(9, r.created_unix_ms)
      .Bind(10, r.expires_unix_ms)
      .Bind(11, r.prior_audit_index);
  DOCBUS_RETURN_IF_ERROR(st.Run());
  r.delivery_id = sqlite3_last_insert_rowid(db_);
  return Status::Ok();
}

Result<std::optional<DeliveryRecord>> SqliteBrokerStore::GetDelivery(
    int64_t delivery_id) {
  SqliteStatement& st = S(schema::kGetDelivery);
  st.Bind(1, delivery_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, st.Step());
  std::optional<DeliveryRecord> out;
  if (row) out = ReadDeliveryRow(st);
  st.Reset();
  return out;
}

Status SqliteBrokerStore::SetDeliveryState(int64_t delivery_id,
                                           DeliveryState state,
                                           int64_t now_unix_ms) {
  SqliteStatement& st = S(schema::kSetDeliveryState);
  st.Bind(1, delivery_id).Bind(2, static_cast<int>(state)).Bind(3, now_unix_ms);
  DOCBUS_RETURN_IF_ERROR(st.Run());
  if (sqlite3_changes(db_) != 1) {
    return Status(Code::kNotFound,
                  "no delivery " + std::to_string(delivery_id));
  }
  return Status::Ok();
}

Result<std::vector<QueuedDelivery>> SqliteBrokerStore::NextQueued(
    std::string_view recipient, const QueueCursor& after, size_t limit) {
  std::vector<QueuedDelivery> out;
  SqliteStatement& st = S(schema::kNextQueuedAtPriority);
  for (int32_t p = std::min<int32_t>(after.priority, 4);
       p >= 0 && out.size() < limit; --p) {
    const int64_t after_id = p == after.priority ? after.delivery_id : 0;
    st.BindText(1, recipient)
        .Bind(2, p)
        .Bind(3, after_id)
        .Bind(4, static_cast<int64_t>(limit - out.size()));
    while (true) {
      auto row = st.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.push_back(QueuedDelivery{st.Int(0), static_cast<int32_t>(st.Int(1)),
                                   st.Int(2)});
    }
    st.Reset();
  }
  return out;
}

Result<std::vector<DeliveryRecord>> SqliteBrokerStore::DueForExpiry(
    int64_t now_unix_ms, size_t limit) {
  std::vector<DeliveryRecord> out;
  SqliteStatement& st = S(schema::kDueForExpiry);
  st.Bind(1, now_unix_ms).Bind(2, static_cast<int64_t>(limit));
  while (true) {
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadDeliveryRow(st));
  }
  st.Reset();
  return out;
}

Result<std::map<std::string, int64_t>> SqliteBrokerStore::QueueDepths() {
  std::map<std::string, int64_t> out;
  SqliteStatement& st = S(schema::kQueueDepths);
  while (true) {
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out[st.Text(0)] = st.Int(1);
  }
  st.Reset();
  return out;
}

Result<std::optional<int64_t>> SqliteBrokerStore::OldestQueuedUnixMillis(
    std::string_view recipient) {
  // Ids grow with time, so the oldest is the smallest id over the five
  // priority levels: five index seeks, whatever the queue length.
  int64_t oldest_id = 0;
  SqliteStatement& st = S(schema::kOldestQueuedAtPriority);
  for (int p = 0; p <= 4; ++p) {
    st.BindText(1, recipient).Bind(2, p);
    DOCBUS_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row && (oldest_id == 0 || st.Int(0) < oldest_id)) oldest_id = st.Int(0);
    st.Reset();
  }
  if (oldest_id == 0) return std::optional<int64_t>();
  SqliteStatement& created = S(schema::kDeliveryCreated);
  created.Bind(1, oldest_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, created.Step());
  std::optional<int64_t> out;
  if (row) out = created.Int(0);
  created.Reset();
  return out;
}

Status SqliteBrokerStore::SaveCheckpoint(uint64_t size,
                                         std::string_view signed_note) {
  return audit_->SaveCheckpoint(size, signed_note);
}

Result<std::optional<std::string>> SqliteBrokerStore::LatestCheckpoint() {
  return audit_->LatestCheckpoint();
}

}  // namespace docbus::store
