// The SQLite schema of the broker store (bus/store/README.md) and the SQL of
// every statement SqliteBrokerStore prepares once at open. Constants only;
// thread-safe.
#pragma once

#include <string>

namespace docbus::store::schema {

// CREATE TABLE / INDEX IF NOT EXISTS for the broker's own tables (the audit
// tables come from audit::SqliteLogStorage).
extern const char* const kTables;

enum Statement {
  kFindDocument,
  kGetDocument,
  kGetAttachmentDigests,
  kInsertDocument,
  kPutAttachment,
  kFindAttachment,
  kAdoptUpload,
  kFindUpload,
  kInsertUpload,
  kSetUploadHeld,
  kInsertChunk,
  kReadChunk,
  kDeleteUpload,
  kDeleteChunks,
  kDeleteUploadChunks,
  kDeleteUploads,
  kDeleteOldUploadChunks,
  kDeleteUploadsBefore,
  kFindStatus,
  kInsertStatus,
  kInsertDelivery,
  kGetDelivery,
  kSetDeliveryState,
  kNextQueuedAtPriority,
  kDueForExpiry,
  kQueueDepths,
  kOldestQueuedAtPriority,
  kDeliveryCreated,
  kStatementCount
};

// The SQL text of a statement.
std::string StatementSql(Statement statement);

}  // namespace docbus::store::schema
