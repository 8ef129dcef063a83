// The SQLite schema of the broker store (bus/store/README.md) and the SQL of
// every statement SqliteBrokerStore prepares once at open. Constants only;
// thread-safe.
#pragma once

#include <string>

namespace docbus::store::schema {

// CREATE TABLE / INDEX IF NOT EXISTS for the broker's own tables (the audit
// tables come from audit::SqliteLogStorage).
extern const char* const kTables;

// The changes after the first schema, in order: migration i takes a
// database from version i+1 to i+2 (PRAGMA user_version counts them). A new
// change is a new entry at the end; entries already released are never
// edited.
extern const char* const kMigrations[];
extern const int kMigrationCount;

enum Statement {
  kFindDocument,
  kFindDocumentByDocumentId,
  kGetDocument,
  kGetAttachmentDigests,
  kInsertDocument,
  kPutAttachment,
  kFindAttachment,
  kGetSmallAttachment,
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
  kListStatuses,
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
