#include "bus/store/sqlite_broker_schema.h"

#include <cstdlib>
#include <utility>

namespace docbus::store::schema {

const char* const kTables = R"sql(
CREATE TABLE IF NOT EXISTS documents(
  id INTEGER PRIMARY KEY,
  sender TEXT NOT NULL,
  message_id TEXT NOT NULL,
  document_id TEXT NOT NULL,
  header BLOB NOT NULL,
  signature BLOB NOT NULL,
  header_sha256 BLOB NOT NULL,
  attachment_sha256 BLOB NOT NULL,
  recipients TEXT NOT NULL,
  priority INTEGER NOT NULL,
  accepted_unix_ms INTEGER NOT NULL,
  audit_index INTEGER NOT NULL,
  UNIQUE(sender, message_id));
CREATE TABLE IF NOT EXISTS attachments(
  id INTEGER PRIMARY KEY,
  sha256 BLOB NOT NULL UNIQUE,
  data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS uploads(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sender TEXT NOT NULL,
  message_id TEXT NOT NULL,
  attachment INTEGER NOT NULL,
  total_size INTEGER NOT NULL,
  held INTEGER NOT NULL,
  created_unix_ms INTEGER NOT NULL,
  UNIQUE(sender, message_id, attachment));
CREATE INDEX IF NOT EXISTS uploads_age ON uploads(created_unix_ms);
CREATE TABLE IF NOT EXISTS chunks(
  id INTEGER PRIMARY KEY,
  upload INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE(upload, offset));
CREATE TABLE IF NOT EXISTS large_attachments(
  sha256 BLOB PRIMARY KEY,
  upload INTEGER NOT NULL,
  size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS statuses(
  status_id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  document INTEGER NOT NULL,
  reporter TEXT NOT NULL,
  addressee TEXT NOT NULL,
  code INTEGER NOT NULL,
  body_sha256 BLOB NOT NULL,
  audit_index INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries(
  id INTEGER PRIMARY KEY,
  recipient TEXT NOT NULL,
  kind INTEGER NOT NULL,
  state INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  document INTEGER NOT NULL,
  payload BLOB NOT NULL,
  status_id TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  created_unix_ms INTEGER NOT NULL,
  expires_unix_ms INTEGER NOT NULL,
  prior_audit_index INTEGER NOT NULL,
  finished_unix_ms INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS deliveries_queue
  ON deliveries(recipient, priority DESC, id) WHERE state = 0;
CREATE INDEX IF NOT EXISTS deliveries_expiry
  ON deliveries(expires_unix_ms) WHERE state = 0 AND kind = 0;
)sql";

const char* const kMigrations[] = {
    // 2: the document lifecycle (bus/broker/README.md): each status's
    // reporter and broker times, statuses per document in order, documents
    // by DocumentId.
    R"sql(
ALTER TABLE statuses ADD COLUMN created_unix_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN accepted_unix_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX statuses_document ON statuses(document, audit_index);
CREATE INDEX documents_document_id ON documents(document_id, sender);
)sql",
};
const int kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);

namespace {

const std::string kStatusColumns =
    "status_id, message_id, document, reporter, addressee, code, "
    "body_sha256, audit_index, created_unix_ms, accepted_unix_ms";

const std::string kDocumentColumns =
    "id, sender, message_id, document_id, header, signature, header_sha256, "
    "attachment_sha256, recipients, priority, accepted_unix_ms, audit_index";

const std::string kDeliveryColumns =
    "id, recipient, kind, state, priority, document, payload, status_id, "
    "size_bytes, created_unix_ms, expires_unix_ms, prior_audit_index";

}  // namespace

std::string StatementSql(Statement statement) {
  const std::string& doc_cols = kDocumentColumns;
  const std::string& del_cols = kDeliveryColumns;
  const std::pair<Statement, std::string> sqls[] = {
      {kFindDocument,
       "SELECT " + doc_cols +
           " FROM documents WHERE sender = ?1 AND message_id = ?2"},
      // Two index seeks on documents_document_id, the sender's own first.
      // Not "ORDER BY sender <> ?1, id": SQLite sorts that in a temporary
      // b-tree, a pager opened and closed on every Submit.
      {kFindDocumentByDocumentId,
       "SELECT " + doc_cols +
           " FROM documents WHERE id = coalesce((SELECT id FROM documents "
           "WHERE document_id = ?2 AND sender = ?1 ORDER BY id LIMIT 1), "
           "(SELECT min(id) FROM documents WHERE document_id = ?2))"},
      {kGetDocument, "SELECT " + doc_cols + " FROM documents WHERE id = ?1"},
      {kGetAttachmentDigests,
       "SELECT attachment_sha256 FROM documents WHERE id = ?1"},
      {kInsertDocument,
       "INSERT INTO documents(sender, message_id, document_id, header, "
       "signature, "
       "header_sha256, attachment_sha256, recipients, priority, "
       "accepted_unix_ms, "
       "audit_index) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"},
      {kPutAttachment,
       "INSERT INTO attachments(sha256, data) VALUES(?1, ?2) "
       "ON CONFLICT(sha256) DO NOTHING"},
      // (upload, size, rowid): a large attachment is the chunks of the
      // upload it came from (upload > 0); a small one a row of its own.
      {kFindAttachment,
       "SELECT upload, size, 0 FROM large_attachments WHERE sha256 = ?1 "
       "UNION ALL SELECT 0, length(data), id FROM attachments "
       "WHERE sha256 = ?1 LIMIT 1"},
      // A small attachment's bytes in one step (no blob handle to open).
      {kGetSmallAttachment, "SELECT data FROM attachments WHERE sha256 = ?1"},
      {kAdoptUpload,
       "INSERT INTO large_attachments(sha256, upload, size) "
       "VALUES(?1, ?2, ?3)"},
      {kFindUpload,
       "SELECT id, total_size, held FROM uploads "
       "WHERE sender = ?1 AND message_id = ?2 AND attachment = ?3"},
      {kInsertUpload,
       "INSERT INTO uploads(sender, message_id, attachment, total_size, held, "
       "created_unix_ms) VALUES(?1, ?2, ?3, ?4, 0, ?5)"},
      {kSetUploadHeld, "UPDATE uploads SET held = ?2 WHERE id = ?1"},
      {kInsertChunk,
       "INSERT INTO chunks(upload, offset, data) VALUES(?1, ?2, ?3)"},
      // The chunk that holds byte ?2.
      {kReadChunk,
       "SELECT offset, data FROM chunks WHERE upload = ?1 AND offset <= ?2 "
       "ORDER BY offset DESC LIMIT 1"},
      {kDeleteUpload, "DELETE FROM uploads WHERE id = ?1"},
      {kDeleteChunks, "DELETE FROM chunks WHERE upload = ?1"},
      {kDeleteUploadChunks,
       "DELETE FROM chunks WHERE upload IN (SELECT id FROM uploads "
       "WHERE sender = ?1 AND message_id = ?2)"},
      {kDeleteUploads,
       "DELETE FROM uploads WHERE sender = ?1 AND message_id = ?2"},
      {kDeleteOldUploadChunks,
       "DELETE FROM chunks WHERE upload IN (SELECT id FROM uploads "
       "WHERE created_unix_ms < ?1)"},
      {kDeleteUploadsBefore, "DELETE FROM uploads WHERE created_unix_ms < ?1"},
      {kFindStatus,
       "SELECT " + kStatusColumns + " FROM statuses WHERE status_id = ?1"},
      {kInsertStatus, "INSERT INTO statuses(" + kStatusColumns +
                          ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
      {kListStatuses,
       "SELECT " + kStatusColumns +
           " FROM statuses WHERE document = ?1 AND ((code = 13 AND addressee "
           "= ?2) OR (code <> 13 AND reporter = ?2)) ORDER BY audit_index"},
      {kInsertDelivery,
       "INSERT INTO deliveries(recipient, kind, state, priority, document, "
       "payload, "
       "status_id, size_bytes, created_unix_ms, expires_unix_ms, "
       "prior_audit_index) "
       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"},
      {kGetDelivery, "SELECT " + del_cols + " FROM deliveries WHERE id = ?1"},
      {kSetDeliveryState,
       "UPDATE deliveries SET state = ?2, finished_unix_ms = ?3 WHERE id = ?1"},
      // One priority level at a time, so each page is a single index seek.
      {kNextQueuedAtPriority,
       "SELECT id, priority, size_bytes FROM deliveries "
       "WHERE recipient = ?1 AND state = 0 AND priority = ?2 AND id > ?3 "
       "ORDER BY priority DESC, id LIMIT ?4"},
      {kDueForExpiry,
       "SELECT id, recipient, kind, state, priority, document, x'', "
       "status_id, size_bytes, created_unix_ms, expires_unix_ms, "
       "prior_audit_index FROM deliveries WHERE state = 0 AND kind = 0 "
       "AND expires_unix_ms <= ?1 ORDER BY expires_unix_ms LIMIT ?2"},
      {kQueueDepths,
       "SELECT recipient, COUNT(*) FROM deliveries WHERE state = 0 GROUP BY "
       "recipient"},
      {kOldestQueuedAtPriority,
       "SELECT id FROM deliveries WHERE recipient = ?1 AND state = 0 AND "
       "priority = ?2 "
       "ORDER BY priority DESC, id LIMIT 1"},
      {kDeliveryCreated,
       "SELECT created_unix_ms FROM deliveries WHERE id = ?1"},
  };
  for (const auto& [which, sql] : sqls) {
    if (which == statement) return sql;
  }
  std::abort();  // every Statement has its SQL above
}

}  // namespace docbus::store::schema
