// The SQL of every statement PgBrokerStore prepares once per connection
// (tables: schema_v1.sql, FORMAT.md). Constants only; thread-safe.
#pragma once

#include <string>

namespace docbus::store::pg {

enum Statement {
  kFindDocument,
  kFindDocumentByDocumentId,
  kGetDocument,
  kGetAttachmentDigests,
  kInsertDocument,
  kPutAttachment,
  kFindAttachment,
  kReadAttachmentPiece,
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

// The name a statement is prepared under ("broker_<n>").
const std::string& StatementName(Statement statement);
// Its SQL text.
std::string StatementSql(Statement statement);

}  // namespace docbus::store::pg
