#include "agents/agent_store.h"

namespace docbus::agent {
namespace {

// Row ids of inbox and statuses_received are their seq numbers: INTEGER
// PRIMARY KEY without AUTOINCREMENT, never deleted, so they grow by one per
// committed row and readers can page with "seq > after".
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS outbox(
  seq INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  kind INTEGER NOT NULL,
  about_message_id TEXT NOT NULL,
  recipients TEXT NOT NULL,
  document_id TEXT NOT NULL,
  header_sha256 BLOB NOT NULL,
  attachment_sha256 BLOB NOT NULL,
  evidence_sha256 BLOB NOT NULL,
  status_code INTEGER NOT NULL,
  created_unix_ms INTEGER NOT NULL,
  frame BLOB NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  audit_index INTEGER NOT NULL DEFAULT -1,
  own_index INTEGER NOT NULL DEFAULT -1,
  answered_unix_ms INTEGER NOT NULL DEFAULT 0,
  in_files INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(seq) WHERE state = 0;
CREATE INDEX IF NOT EXISTS outbox_statuses_by_document
  ON outbox(about_message_id) WHERE kind = 1;
CREATE TABLE IF NOT EXISTS inbox(
  seq INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  sender TEXT NOT NULL,
  subject TEXT NOT NULL,
  document_id TEXT NOT NULL,
  priority INTEGER NOT NULL,
  received_unix_ms INTEGER NOT NULL,
  header BLOB NOT NULL,
  signature BLOB NOT NULL,
  receipt BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS inbox_attachments(
  message_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  sha256 BLOB NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY(message_id, idx));
CREATE TABLE IF NOT EXISTS receipts(
  message_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  received_unix_ms INTEGER NOT NULL,
  signed_receipt BLOB NOT NULL,
  arrived_unix_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(message_id, recipient));
CREATE TABLE IF NOT EXISTS statuses_received(
  seq INTEGER PRIMARY KEY,
  status_id TEXT NOT NULL UNIQUE,
  message_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  addressee TEXT NOT NULL,
  code INTEGER NOT NULL,
  description TEXT NOT NULL,
  created_unix_ms INTEGER NOT NULL,
  signed_status BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS statuses_received_by_document
  ON statuses_received(message_id);
CREATE TABLE IF NOT EXISTS statuses_sent(
  status_id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  addressee TEXT NOT NULL,
  code INTEGER NOT NULL,
  description TEXT NOT NULL,
  created_unix_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dead_letters(
  message_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  expired_unix_ms INTEGER NOT NULL,
  broker_audit_index INTEGER NOT NULL,
  PRIMARY KEY(message_id, recipient));
CREATE TABLE IF NOT EXISTS outbox_keys(
  idempotency_key TEXT PRIMARY KEY,
  message_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS outbox_by_document_id ON outbox(document_id);
CREATE INDEX IF NOT EXISTS inbox_by_document_id ON inbox(sender, document_id);
-- GET /v1/inbox's filters (sender, received since/until, state).
CREATE INDEX IF NOT EXISTS inbox_by_sender ON inbox(sender, seq);
CREATE INDEX IF NOT EXISTS inbox_by_received ON inbox(received_unix_ms);
CREATE INDEX IF NOT EXISTS statuses_sent_by_document ON statuses_sent(message_id);
CREATE TABLE IF NOT EXISTS inbox_broker_hops(
  message_id TEXT PRIMARY KEY,
  accepted_unix_ms INTEGER NOT NULL,
  relay_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inbox_fetches(
  message_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  sha256 BLOB NOT NULL,
  durable_bytes INTEGER NOT NULL,
  PRIMARY KEY(message_id, idx));
CREATE TABLE IF NOT EXISTS broker_checkpoint(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  size INTEGER NOT NULL,
  note TEXT NOT NULL);
)sql";

// Adds `column` (INTEGER NOT NULL DEFAULT 0) to an older store's `table`.
Status AddFlagColumn(SqliteDb& db, std::string_view table,
                     std::string_view column) {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db.Prepare("SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?"));
  q->BindText(1, table).BindText(2, column);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (row && q->Int(0) == 1) return Status::Ok();
  return db.Exec("ALTER TABLE " + std::string(table) + " ADD COLUMN " +
                 std::string(column) + " INTEGER NOT NULL DEFAULT 0");
}

// Columns that came after the first stores:
// - inbox_attachments.in_file, with large attachments: 1 when the bytes are
//   in <data_dir>/attachments/<sha256 hex> (data is then empty);
// - outbox.in_files, with large uploads: 1 when the document's attachment
//   bytes are in <data_dir>/outbox-files/ (its frame is Submit{chunked}).
// Older rows keep their bytes inline (0).
Status AddLaterColumns(SqliteDb& db) {
  DOCBUS_RETURN_IF_ERROR(AddFlagColumn(db, "inbox_attachments", "in_file"));
  return AddFlagColumn(db, "outbox", "in_files");
}

constexpr char kOutboxColumns[] =
    "seq, message_id, kind, about_message_id, recipients, document_id,"
    " header_sha256, attachment_sha256, evidence_sha256, status_code,"
    " created_unix_ms, state, reason, detail, audit_index, own_index";

}  // namespace

std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out.push_back('\n');
    out += s;
  }
  return out;
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    out.emplace_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::filesystem::path AgentStore::DatabasePath(
    const std::filesystem::path& data_dir) {
  return data_dir / "agent.db";
}

AgentStore::AgentStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

Result<std::unique_ptr<AgentStore>> AgentStore::Open(
    const std::filesystem::path& data_dir) {
  DOCBUS_ASSIGN_OR_RETURN(auto db,
                          SqliteDb::Open(DatabasePath(data_dir),
                                         {.busy_timeout_ms = kBusyTimeoutMs}));
  DOCBUS_RETURN_IF_ERROR(db->Begin());
  Status s = db->Exec(kSchema);
  if (s.ok()) s = AddLaterColumns(*db);
  if (s.ok()) s = audit::SqliteLogStorage::CreateTables(db->handle());
  if (s.ok()) s = db->Commit();
  if (!s.ok()) {
    (void)db->Rollback();
    return s.Prefixed("agent store schema");
  }
  std::unique_ptr<AgentStore> store(new AgentStore(std::move(db)));
  store->log_storage_ =
      std::make_unique<audit::SqliteLogStorage>(store->db_->handle());
  return store;
}

Status AgentStore::AddOutbox(OutboxEntry& e) {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare(
          "INSERT INTO outbox(message_id, kind, about_message_id, recipients,"
          " document_id, header_sha256, attachment_sha256, evidence_sha256,"
          " status_code, created_unix_ms, frame, in_files) "
          "VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"));
  q->BindText(1, e.message_id).Bind(2, static_cast<int>(e.kind));
  q->BindText(3, e.about_message_id).BindText(4, JoinLines(e.recipients));
  q->BindText(5, e.document_id).BindBlob(6, e.header_sha256);
  q->BindBlob(7, e.attachment_sha256).BindBlob(8, e.evidence_sha256);
  q->Bind(9, e.status_code).Bind(10, e.created_unix_ms).BindBlob(11, e.frame);
  q->Bind(12, e.attachments_in_files ? 1 : 0);
  DOCBUS_RETURN_IF_ERROR(q->Run());
  e.seq = db_->last_insert_rowid();
  if (e.idempotency_key.empty()) return Status::Ok();
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery k,
      db_->Prepare("INSERT INTO outbox_keys(idempotency_key, message_id)"
                   " VALUES(?,?)"));
  k->BindText(1, e.idempotency_key).BindText(2, e.message_id);
  return k->Run();
}

Result<std::optional<OutboxEntry>> AgentStore::FindOutbox(
    std::string_view message_id) {
  DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q,
                          db_->Prepare(std::string("SELECT ") + kOutboxColumns +
                                       " FROM outbox WHERE message_id = ?"));
  q->BindText(1, message_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<OutboxEntry>();
  OutboxEntry e;
  e.seq = q->Int(0);
  e.message_id = q->Text(1);
  e.kind = static_cast<OutboxKind>(q->Int(2));
  e.about_message_id = q->Text(3);
  e.recipients = SplitLines(q->Text(4));
  e.document_id = q->Text(5);
  e.header_sha256 = q->Blob(6);
  e.attachment_sha256 = q->Blob(7);
  e.evidence_sha256 = q->Blob(8);
  e.status_code = static_cast<int>(q->Int(9));
  e.created_unix_ms = q->Int(10);
  e.state = static_cast<OutboxState>(q->Int(11));
  e.reason = q->Text(12);
  e.detail = q->Text(13);
  e.audit_index = q->Int(14);
  e.own_index = q->Int(15);
  return std::optional<OutboxEntry>(std::move(e));
}

Result<bool> AgentStore::AnswerOutbox(std::string_view message_id,
                                      OutboxState state,
                                      std::string_view reason,
                                      std::string_view detail,
                                      int64_t audit_index, int64_t own_index,
                                      int64_t now_unix_ms) {
  DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q,
                          db_->Prepare("UPDATE outbox SET state = ?, reason = "
                                       "?, detail = ?, audit_index = ?,"
                                       " own_index = ?, answered_unix_ms = ?,"
                                       " frame = X'' "
                                       "WHERE message_id = ? AND state = 0"));
  q->Bind(1, static_cast<int>(state)).BindText(2, reason).BindText(3, detail);
  q->Bind(4, audit_index).Bind(5, own_index).Bind(6, now_unix_ms);
  q->BindText(7, message_id);
  DOCBUS_RETURN_IF_ERROR(q->Run());
  return db_->changes() == 1;
}

Result<std::vector<PendingFrame>> AgentStore::PendingFrames(int64_t after_seq,
                                                            int limit,
                                                            int64_t max_bytes) {
  DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q,
                          db_->Prepare("SELECT seq, message_id, frame, in_files"
                                       " FROM outbox WHERE state = 0 AND"
                                       " seq > ? ORDER BY seq LIMIT ?"));
  q->Bind(1, after_seq).Bind(2, limit);
  std::vector<PendingFrame> out;
  int64_t bytes = 0;
  while (bytes < max_bytes) {
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(
        PendingFrame{q->Int(0), q->Text(1), q->Blob(2), q->Int(3) == 1});
    bytes += static_cast<int64_t>(out.back().frame.size());
  }
  return out;
}

Result<int64_t> AgentStore::CountPending() {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("SELECT COUNT(*) FROM outbox WHERE state = 0"));
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : 0;
}

Result<std::optional<InboxEntry>> AgentStore::FindInbox(
    std::string_view message_id) {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare(
          "SELECT sender, header, receipt FROM inbox WHERE message_id = ?"));
  q->BindText(1, message_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<InboxEntry>();
  InboxEntry e;
  e.message_id = std::string(message_id);
  e.sender = q->Text(0);
  e.header_bytes = q->Blob(1);
  e.receipt = q->Blob(2);
  return std::optional<InboxEntry>(std::move(e));
}

Status AgentStore::AddInbox(const InboxEntry& e) {
  {
    DOCBUS_ASSIGN_OR_RETURN(
        SqliteQuery q,
        db_->Prepare("INSERT INTO inbox(message_id, sender, subject, "
                     "document_id, priority,"
                     " received_unix_ms, header, signature, receipt)"
                     " VALUES(?,?,?,?,?,?,?,?,?)"));
    q->BindText(1, e.message_id).BindText(2, e.sender).BindText(3, e.subject);
    q->BindText(4, e.document_id)
        .Bind(5, e.priority)
        .Bind(6, e.received_unix_ms);
    q->BindBlob(7, e.header_bytes)
        .BindBlob(8, e.signature)
        .BindBlob(9, e.receipt);
    DOCBUS_RETURN_IF_ERROR(q->Run());
  }
  if (e.broker_accepted_unix_ms != 0 || !e.broker_relay_id.empty()) {
    DOCBUS_ASSIGN_OR_RETURN(
        SqliteQuery q,
        db_->Prepare("INSERT INTO inbox_broker_hops(message_id,"
                     " accepted_unix_ms, relay_id) VALUES(?,?,?)"));
    q->BindText(1, e.message_id).Bind(2, e.broker_accepted_unix_ms);
    q->BindText(3, e.broker_relay_id);
    DOCBUS_RETURN_IF_ERROR(q->Run());
  }
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("INSERT INTO inbox_attachments(message_id, idx, "
                   "name, media_type, sha256,"
                   " data, in_file) VALUES(?,?,?,?,?,?,?)"));
  for (size_t i = 0; i < e.attachments.size(); ++i) {
    const AttachmentInput& a = e.attachments[i];
    q->BindText(1, e.message_id).Bind(2, static_cast<int64_t>(i));
    q->BindText(3, a.name).BindText(4, a.media_type);
    q->BindBlob(5,
                i < e.attachment_sha256.size() ? e.attachment_sha256[i] : "");
    q->BindBlob(6, a.data);
    q->Bind(7, i < e.attachment_in_file.size() && e.attachment_in_file[i]);
    DOCBUS_RETURN_IF_ERROR(q->Run());
  }
  return Status::Ok();
}

Result<uint64_t> AgentStore::FetchOffset(std::string_view message_id,
                                         int64_t attachment,
                                         std::string_view sha256) {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare(
          "SELECT durable_bytes FROM inbox_fetches WHERE message_id = ?"
          " AND idx = ? AND sha256 = ?"));
  q->BindText(1, message_id).Bind(2, attachment).BindBlob(3, sha256);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? static_cast<uint64_t>(q->Int(0)) : 0;
}

Status AgentStore::SaveFetch(std::string_view message_id, int64_t attachment,
                             std::string_view sha256, uint64_t offset) {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("INSERT INTO inbox_fetches(message_id, idx, sha256,"
                   " durable_bytes)"
                   " VALUES(?,?,?,?) ON CONFLICT(message_id, idx) DO UPDATE"
                   " SET sha256 = excluded.sha256,"
                   " durable_bytes = excluded.durable_bytes"));
  q->BindText(1, message_id).Bind(2, attachment).BindBlob(3, sha256);
  q->Bind(4, static_cast<int64_t>(offset));
  return q->Run();
}

Status AgentStore::DropFetches(std::string_view message_id) {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("DELETE FROM inbox_fetches WHERE message_id = ?"));
  q->BindText(1, message_id);
  return q->Run();
}

Result<bool> AgentStore::AddReceipt(std::string_view message_id,
                                    std::string_view recipient,
                                    int64_t received_unix_ms,
                                    std::string_view signed_receipt,
                                    int64_t arrived_unix_ms) {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("INSERT OR IGNORE INTO receipts(message_id, "
                   "recipient, received_unix_ms,"
                   " signed_receipt, arrived_unix_ms) VALUES(?,?,?,?,?)"));
  q->BindText(1, message_id).BindText(2, recipient).Bind(3, received_unix_ms);
  q->BindBlob(4, signed_receipt);
  q->Bind(5, arrived_unix_ms);
  DOCBUS_RETURN_IF_ERROR(q->Run());
  return db_->changes() == 1;
}

Result<bool> AgentStore::AddStatusReceived(const StatusEntry& s) {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare(
          "INSERT OR IGNORE INTO statuses_received(status_id, message_id, "
          "sender,"
          " addressee, code, description, created_unix_ms, signed_status)"
          " VALUES(?,?,?,?,?,?,?,?)"));
  q->BindText(1, s.status_id).BindText(2, s.message_id).BindText(3, s.from);
  q->BindText(4, s.to).Bind(5, s.code).BindText(6, s.description);
  q->Bind(7, s.created_unix_ms).BindBlob(8, s.signed_status);
  DOCBUS_RETURN_IF_ERROR(q->Run());
  return db_->changes() == 1;
}

Status AgentStore::AddStatusSent(const StatusEntry& s) {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare(
          "INSERT INTO statuses_sent(status_id, message_id, addressee, code,"
          " description, created_unix_ms) VALUES(?,?,?,?,?,?)"));
  q->BindText(1, s.status_id).BindText(2, s.message_id).BindText(3, s.to);
  q->Bind(4, s.code).BindText(5, s.description).Bind(6, s.created_unix_ms);
  return q->Run();
}

Result<bool> AgentStore::AddDeadLetter(std::string_view message_id,
                                       std::string_view recipient,
                                       int64_t expired_unix_ms,
                                       int64_t broker_audit_index) {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("INSERT OR IGNORE INTO dead_letters(message_id, "
                   "recipient, expired_unix_ms,"
                   " broker_audit_index) VALUES(?,?,?,?)"));
  q->BindText(1, message_id).BindText(2, recipient).Bind(3, expired_unix_ms);
  q->Bind(4, broker_audit_index);
  DOCBUS_RETURN_IF_ERROR(q->Run());
  return db_->changes() == 1;
}

Result<std::optional<std::string>> AgentStore::BrokerCheckpoint() {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("SELECT note FROM broker_checkpoint WHERE id = 1"));
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(q->Text(0));
}

Status AgentStore::SaveBrokerCheckpoint(uint64_t size,
                                        std::string_view signed_note) {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare(
          "INSERT INTO broker_checkpoint(id, size, note) VALUES(1, ?, ?)"
          " ON CONFLICT(id) DO UPDATE SET size = excluded.size, note = "
          "excluded.note"));
  q->Bind(1, static_cast<int64_t>(size)).BindText(2, signed_note);
  return q->Run();
}

}  // namespace docbus::agent
