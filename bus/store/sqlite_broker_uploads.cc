// SqliteBrokerStore: large attachments, written and read a chunk at a time.
// An upload is a row in `uploads` and its chunks rows in `chunks`, each
// written once as it arrives; a complete upload becomes an attachment by
// reference (`large_attachments` names the upload), so no statement ever
// holds, copies or rewrites a whole large attachment. Small attachments keep
// their own row and are read in pieces with SQLite's incremental blob I/O.
// Everything runs inside the caller's transaction.
#include <sqlite3.h>

#include <algorithm>

#include "bus/store/sqlite_broker_store.h"

namespace docbus::store {
namespace {

// An open sqlite3_blob (read-only), closed with its scope.
class Blob {
 public:
  static Result<Blob> Open(sqlite3* db, const char* table, int64_t rowid) {
    sqlite3_blob* blob = nullptr;
    const int rc =
        sqlite3_blob_open(db, "main", table, "data", rowid, 0, &blob);
    if (rc != SQLITE_OK) {
      sqlite3_blob_close(blob);
      return SqliteError(db, rc, std::string("opening a blob of ") + table);
    }
    return Blob(db, blob);
  }
  Blob(Blob&& other) noexcept : db_(other.db_), blob_(other.blob_) {
    other.blob_ = nullptr;
  }
  Blob& operator=(Blob&&) = delete;
  ~Blob() { sqlite3_blob_close(blob_); }

  uint64_t size() const {
    return static_cast<uint64_t>(sqlite3_blob_bytes(blob_));
  }
  Result<std::string> Read(uint64_t offset, size_t length) const {
    if (offset > size()) {
      return Status(Code::kInvalidField,
                    "offset " + std::to_string(offset) + " is past the end (" +
                        std::to_string(size()) + " bytes)");
    }
    std::string out(std::min<uint64_t>(length, size() - offset), '\0');
    const int rc =
        sqlite3_blob_read(blob_, out.data(), static_cast<int>(out.size()),
                          static_cast<int>(offset));
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "reading a blob");
    return out;
  }

 private:
  Blob(sqlite3* db, sqlite3_blob* blob) : db_(db), blob_(blob) {}
  sqlite3* db_;
  sqlite3_blob* blob_;
};

}  // namespace

Result<SqliteBrokerStore::AttachmentRow> SqliteBrokerStore::FindAttachment(
    std::string_view sha256) {
  SqliteQuery q = Query(schema::kFindAttachment);
  q->BindBlob(1, sha256);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return Status(Code::kNotFound, "no attachment with that digest");
  return AttachmentRow{q->Int(0), static_cast<uint64_t>(q->Int(1)), q->Int(2)};
}

Result<std::string> SqliteBrokerStore::ReadChunk(int64_t upload,
                                                 uint64_t offset,
                                                 size_t length) {
  SqliteQuery q = Query(schema::kReadChunk);
  q->Bind(1, upload).Bind(2, static_cast<int64_t>(offset));
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  const std::string_view data = row ? q->BlobView(1) : std::string_view();
  const uint64_t start = row ? static_cast<uint64_t>(q->Int(0)) : 0;
  if (!row || offset - start >= data.size()) {
    return Status(Code::kInvalidField,
                  "offset " + std::to_string(offset) + " is not stored");
  }
  return std::string(data.substr(offset - start, length));
}

Result<std::string> SqliteBrokerStore::ReadAttachment(std::string_view sha256,
                                                      uint64_t offset,
                                                      size_t length) {
  DOCBUS_ASSIGN_OR_RETURN(AttachmentRow found, FindAttachment(sha256));
  if (offset > found.size) {
    return Status(Code::kInvalidField,
                  "offset " + std::to_string(offset) + " is past the end (" +
                      std::to_string(found.size) + " bytes)");
  }
  return ReadFound(found, offset, length);
}

Result<std::string> SqliteBrokerStore::GetAttachment(std::string_view sha256) {
  {
    // Every delivery of a document reads its small attachments whole: one
    // query, where finding the row and then opening a blob handle on it
    // cost twice as much. Content-addressed: were the digest also an
    // adopted upload's, its bytes would be these.
    SqliteQuery small = Query(schema::kGetSmallAttachment);
    small->BindBlob(1, sha256);
    DOCBUS_ASSIGN_OR_RETURN(bool row, small->Step());
    if (row) return small->Blob(0);
  }
  DOCBUS_ASSIGN_OR_RETURN(AttachmentRow found, FindAttachment(sha256));
  // One read for a small attachment; an adopted upload, a chunk at a time.
  std::string out;
  while (out.size() < found.size) {
    DOCBUS_ASSIGN_OR_RETURN(
        std::string piece,
        ReadFound(found, out.size(), found.size - out.size()));
    if (out.empty()) {
      out = std::move(piece);
    } else {
      out += piece;
    }
  }
  return out;
}

Result<std::string> SqliteBrokerStore::ReadFound(const AttachmentRow& found,
                                                 uint64_t offset,
                                                 size_t length) {
  if (offset == found.size) return std::string();
  if (found.upload > 0) return ReadChunk(found.upload, offset, length);
  DOCBUS_ASSIGN_OR_RETURN(
      Blob blob, Blob::Open(db_->handle(), "attachments", found.rowid));
  return blob.Read(offset, length);
}

Result<std::optional<SqliteBrokerStore::UploadRow>>
SqliteBrokerStore::FindUpload(const UploadKey& key) {
  SqliteQuery q = Query(schema::kFindUpload);
  q->BindText(1, key.sender)
      .BindText(2, key.message_id)
      .Bind(3, static_cast<int64_t>(key.attachment));
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<UploadRow>();
  return std::optional<UploadRow>(
      UploadRow{q->Int(0), UploadProgress{static_cast<uint64_t>(q->Int(1)),
                                          static_cast<uint64_t>(q->Int(2))}});
}

Result<uint64_t> SqliteBrokerStore::AppendUpload(const UploadKey& key,
                                                 uint64_t total_size,
                                                 uint64_t offset,
                                                 std::string_view data,
                                                 int64_t now_unix_ms) {
  DOCBUS_ASSIGN_OR_RETURN(std::optional<UploadRow> upload, FindUpload(key));
  if (!upload.has_value()) {
    if (offset != 0) return uint64_t{0};  // a gap: nothing held yet
    SqliteQuery insert = Query(schema::kInsertUpload);
    insert->BindText(1, key.sender)
        .BindText(2, key.message_id)
        .Bind(3, static_cast<int64_t>(key.attachment))
        .Bind(4, static_cast<int64_t>(total_size))
        .Bind(5, now_unix_ms);
    DOCBUS_RETURN_IF_ERROR(insert->Run());
    upload = UploadRow{db_->last_insert_rowid(), UploadProgress{total_size, 0}};
  }
  const UploadProgress& p = upload->progress;
  if (p.total_size != total_size) {
    return Status(Code::kInvalidField, "total_size " +
                                           std::to_string(total_size) +
                                           " differs from the upload's " +
                                           std::to_string(p.total_size));
  }
  if (offset > p.held) return p.held;  // a gap: nothing stored
  if (data.size() > total_size - offset) {
    return Status(Code::kInvalidField, "chunk runs past total_size");
  }
  const uint64_t end = offset + data.size();
  if (end <= p.held) return p.held;  // a resend of what is stored
  SqliteQuery chunk = Query(schema::kInsertChunk);
  chunk->Bind(1, upload->rowid)
      .Bind(2, static_cast<int64_t>(p.held))
      .BindBlobNoCopy(3, data.substr(p.held - offset));
  DOCBUS_RETURN_IF_ERROR(chunk->Run());
  SqliteQuery held = Query(schema::kSetUploadHeld);
  held->Bind(1, upload->rowid).Bind(2, static_cast<int64_t>(end));
  DOCBUS_RETURN_IF_ERROR(held->Run());
  return end;
}

Result<std::optional<UploadProgress>> SqliteBrokerStore::GetUpload(
    const UploadKey& key) {
  DOCBUS_ASSIGN_OR_RETURN(std::optional<UploadRow> upload, FindUpload(key));
  if (!upload.has_value()) return std::optional<UploadProgress>();
  return std::optional<UploadProgress>(upload->progress);
}

Result<std::string> SqliteBrokerStore::ReadUpload(const UploadKey& key,
                                                  uint64_t offset,
                                                  size_t length) {
  DOCBUS_ASSIGN_OR_RETURN(std::optional<UploadRow> upload, FindUpload(key));
  if (!upload.has_value()) return Status(Code::kNotFound, "no such upload");
  if (offset >= upload->progress.held) return std::string();
  return ReadChunk(upload->rowid, offset, length);
}

Status SqliteBrokerStore::AdoptUpload(const UploadKey& key,
                                      std::string_view sha256) {
  DOCBUS_ASSIGN_OR_RETURN(std::optional<UploadRow> upload, FindUpload(key));
  if (!upload.has_value()) return Status(Code::kNotFound, "no such upload");
  Result<AttachmentRow> stored = FindAttachment(sha256);
  if (stored.status().code() == Code::kNotFound) {
    SqliteQuery adopt = Query(schema::kAdoptUpload);
    adopt->BindBlob(1, sha256)
        .Bind(2, upload->rowid)
        .Bind(3, static_cast<int64_t>(upload->progress.total_size));
    DOCBUS_RETURN_IF_ERROR(adopt->Run());
  } else {
    DOCBUS_RETURN_IF_ERROR(stored.status());
    // Stored already (content-addressed): the new bytes are not needed.
    SqliteQuery chunks = Query(schema::kDeleteChunks);
    chunks->Bind(1, upload->rowid);
    DOCBUS_RETURN_IF_ERROR(chunks->Run());
  }
  SqliteQuery drop = Query(schema::kDeleteUpload);
  drop->Bind(1, upload->rowid);
  return drop->Run();
}

Status SqliteBrokerStore::DeleteUploads(std::string_view sender,
                                        std::string_view message_id) {
  SqliteQuery chunks = Query(schema::kDeleteUploadChunks);
  chunks->BindText(1, sender).BindText(2, message_id);
  DOCBUS_RETURN_IF_ERROR(chunks->Run());
  SqliteQuery q = Query(schema::kDeleteUploads);
  q->BindText(1, sender).BindText(2, message_id);
  return q->Run();
}

Result<int64_t> SqliteBrokerStore::DeleteUploadsBefore(int64_t unix_ms) {
  SqliteQuery chunks = Query(schema::kDeleteOldUploadChunks);
  chunks->Bind(1, unix_ms);
  DOCBUS_RETURN_IF_ERROR(chunks->Run());
  SqliteQuery q = Query(schema::kDeleteUploadsBefore);
  q->Bind(1, unix_ms);
  DOCBUS_RETURN_IF_ERROR(q->Run());
  return db_->changes();
}

}  // namespace docbus::store
