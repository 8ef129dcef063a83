#include "bus/store/postgres/pg_broker_statements.h"

#include <array>
#include <cstdlib>
#include <utility>

namespace docbus::store::pg {
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

const std::string& StatementName(Statement statement) {
  static const auto* const kNames = [] {
    auto* names = new std::array<std::string, kStatementCount>();
    for (int i = 0; i < kStatementCount; ++i) {
      (*names)[i] = "broker_" + std::to_string(i);
    }
    return names;
  }();
  return (*kNames)[statement];
}

std::string StatementSql(Statement statement) {
  const std::string& doc_cols = kDocumentColumns;
  const std::string& del_cols = kDeliveryColumns;
  const std::pair<Statement, std::string> sqls[] = {
      {kFindDocument, "SELECT " + doc_cols +
                          " FROM documents WHERE sender = $1 AND "
                          "message_id = $2"},
      {kFindDocumentByDocumentId,
       "SELECT " + doc_cols +
           " FROM documents WHERE document_id = $2 ORDER BY sender <> $1, id "
           "LIMIT 1"},
      {kGetDocument, "SELECT " + doc_cols + " FROM documents WHERE id = $1"},
      {kGetAttachmentDigests,
       "SELECT attachment_sha256 FROM documents WHERE id = $1"},
      // A second (sender, message_id) inserts nothing and returns no row,
      // leaving the transaction usable (a violation would abort it).
      {kInsertDocument,
       "INSERT INTO documents(sender, message_id, document_id, header, "
       "signature, header_sha256, attachment_sha256, recipients, priority, "
       "accepted_unix_ms, audit_index) "
       "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
       "ON CONFLICT (sender, message_id) DO NOTHING RETURNING id"},
      {kPutAttachment,
       "INSERT INTO attachments(sha256, data) VALUES($1, $2) "
       "ON CONFLICT (sha256) DO NOTHING"},
      // (upload, size, id): a large attachment is the chunks of the upload
      // it came from (upload > 0); a small one a row of its own.
      {kFindAttachment,
       "SELECT upload, size, 0::bigint FROM large_attachments "
       "WHERE sha256 = $1 UNION ALL "
       "SELECT 0::bigint, octet_length(data)::bigint, id FROM attachments "
       "WHERE sha256 = $1 LIMIT 1"},
      // Only the TOAST slices holding the piece are read (STORAGE EXTERNAL).
      {kReadAttachmentPiece,
       "SELECT substring(data FROM $2::integer + 1 FOR $3::integer) "
       "FROM attachments WHERE id = $1"},
      {kAdoptUpload,
       "INSERT INTO large_attachments(sha256, upload, size) "
       "VALUES($1, $2, $3)"},
      {kFindUpload,
       "SELECT id, total_size, held FROM uploads "
       "WHERE sender = $1 AND message_id = $2 AND attachment = $3"},
      {kInsertUpload,
       "INSERT INTO uploads(sender, message_id, attachment, total_size, held, "
       "created_unix_ms) VALUES($1, $2, $3, $4, 0, $5) RETURNING id"},
      {kSetUploadHeld, "UPDATE uploads SET held = $2 WHERE id = $1"},
      {kInsertChunk,
       "INSERT INTO chunks(upload, start_offset, data) VALUES($1, $2, $3)"},
      // The piece of the chunk that holds byte $2: its start, its size and
      // at most $3 bytes from $2.
      {kReadChunk,
       "SELECT start_offset, octet_length(data)::bigint, "
       "substring(data FROM ($2::bigint - start_offset + 1)::integer "
       "FOR $3::integer) FROM chunks "
       "WHERE upload = $1 AND start_offset <= $2::bigint "
       "ORDER BY start_offset DESC LIMIT 1"},
      {kDeleteUpload, "DELETE FROM uploads WHERE id = $1"},
      {kDeleteChunks, "DELETE FROM chunks WHERE upload = $1"},
      {kDeleteUploadChunks,
       "DELETE FROM chunks WHERE upload IN (SELECT id FROM uploads "
       "WHERE sender = $1 AND message_id = $2)"},
      {kDeleteUploads,
       "DELETE FROM uploads WHERE sender = $1 AND message_id = $2"},
      {kDeleteOldUploadChunks,
       "DELETE FROM chunks WHERE upload IN (SELECT id FROM uploads "
       "WHERE created_unix_ms < $1)"},
      {kDeleteUploadsBefore, "DELETE FROM uploads WHERE created_unix_ms < $1"},
      {kFindStatus,
       "SELECT " + kStatusColumns + " FROM statuses WHERE status_id = $1"},
      {kInsertStatus, "INSERT INTO statuses(" + kStatusColumns +
                          ") VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                          "ON CONFLICT (status_id) DO NOTHING"},
      {kListStatuses,
       "SELECT " + kStatusColumns +
           " FROM statuses WHERE document = $1 AND ((code = 13 AND addressee "
           "= $2) OR (code <> 13 AND reporter = $2)) ORDER BY audit_index"},
      {kInsertDelivery,
       "INSERT INTO deliveries(recipient, kind, state, priority, document, "
       "payload, status_id, size_bytes, created_unix_ms, expires_unix_ms, "
       "prior_audit_index) "
       "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"},
      {kGetDelivery, "SELECT " + del_cols + " FROM deliveries WHERE id = $1"},
      {kSetDeliveryState,
       "UPDATE deliveries SET state = $2, finished_unix_ms = $3 WHERE id = $1"},
      // One priority level at a time through deliveries_queue, so each page
      // is one index range scan.
      {kNextQueuedAtPriority,
       "SELECT id, priority, size_bytes FROM deliveries "
       "WHERE recipient = $1 AND state = 0 AND priority = $2 AND id > $3 "
       "ORDER BY priority DESC, id LIMIT $4"},
      {kDueForExpiry,
       "SELECT id, recipient, kind, state, priority, document, ''::bytea, "
       "status_id, size_bytes, created_unix_ms, expires_unix_ms, "
       "prior_audit_index FROM deliveries WHERE state = 0 AND kind = 0 "
       "AND expires_unix_ms <= $1 ORDER BY expires_unix_ms LIMIT $2"},
      {kQueueDepths,
       "SELECT recipient, count(*) FROM deliveries WHERE state = 0 "
       "GROUP BY recipient"},
      {kOldestQueuedAtPriority,
       "SELECT id FROM deliveries WHERE recipient = $1 AND state = 0 AND "
       "priority = $2 ORDER BY priority DESC, id LIMIT 1"},
      {kDeliveryCreated,
       "SELECT created_unix_ms FROM deliveries WHERE id = $1"},
  };
  for (const auto& [which, sql] : sqls) {
    if (which == statement) return sql;
  }
  std::abort();  // every Statement has its SQL above
}

}  // namespace docbus::store::pg
