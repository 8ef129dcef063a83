// SqliteBrokerStore: large attachments, written and read a chunk at a time.
// An upload row is created with a zero-filled blob of the attachment's size;
// each chunk is written into it with SQLite's incremental blob I/O, so no
// statement ever holds the whole attachment in memory. Adopting a complete
// upload copies it, a chunk at a time, into the content-addressed
// attachments table. Everything runs inside the caller's transaction.
#include <sqlite3.h>

#include <algorithm>

#include "bus/store/sqlite_broker_store.h"

namespace docbus::store {
namespace {

// Pieces in which AdoptUpload copies an upload.
constexpr size_t kCopyBytes = size_t{1} << 20;

// An open sqlite3_blob, closed with its scope.
class Blob {
 public:
  static Result<Blob> Open(sqlite3* db, const char* table, int64_t rowid,
                           bool write) {
    sqlite3_blob* blob = nullptr;
    const int rc = sqlite3_blob_open(db, "main", table, "data", rowid,
                                     write ? 1 : 0, &blob);
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
    const int rc = sqlite3_blob_read(blob_, out.data(),
                                     static_cast<int>(out.size()),
                                     static_cast<int>(offset));
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "reading a blob");
    return out;
  }
  Status Write(uint64_t offset, std::string_view data) {
    const int rc = sqlite3_blob_write(blob_, data.data(),
                                      static_cast<int>(data.size()),
                                      static_cast<int>(offset));
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "writing a blob");
    return Status::Ok();
  }

 private:
  Blob(sqlite3* db, sqlite3_blob* blob) : db_(db), blob_(blob) {}
  sqlite3* db_;
  sqlite3_blob* blob_;
};

}  // namespace

Result<std::pair<int64_t, uint64_t>> SqliteBrokerStore::FindAttachment(
    std::string_view sha256) {
  SqliteQuery q = Query(schema::kFindAttachment);
  q->BindBlob(1, sha256);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return Status(Code::kNotFound, "no attachment with that digest");
  return std::make_pair(q->Int(0), static_cast<uint64_t>(q->Int(1)));
}

Result<uint64_t> SqliteBrokerStore::AttachmentSize(std::string_view sha256) {
  DOCBUS_ASSIGN_OR_RETURN(auto found, FindAttachment(sha256));
  return found.second;
}

Result<std::string> SqliteBrokerStore::ReadAttachment(std::string_view sha256,
                                                      uint64_t offset,
                                                      size_t length) {
  DOCBUS_ASSIGN_OR_RETURN(auto found, FindAttachment(sha256));
  DOCBUS_ASSIGN_OR_RETURN(
      Blob blob, Blob::Open(db_->handle(), "attachments", found.first, false));
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
    if (offset != 0) {
      return Status(Code::kFailedPrecondition,
                    "upload does not start at offset 0");
    }
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
    return Status(Code::kInvalidField,
                  "total_size " + std::to_string(total_size) +
                      " differs from the upload's " +
                      std::to_string(p.total_size));
  }
  if (offset > p.held) {
    return Status(Code::kFailedPrecondition,
                  "chunk at " + std::to_string(offset) + " leaves a gap after " +
                      std::to_string(p.held) + " bytes");
  }
  if (data.size() > total_size - offset) {
    return Status(Code::kInvalidField, "chunk runs past total_size");
  }
  const uint64_t end = offset + data.size();
  if (end <= p.held) return p.held;  // a resend of what is stored
  {
    DOCBUS_ASSIGN_OR_RETURN(
        Blob blob, Blob::Open(db_->handle(), "uploads", upload->rowid, true));
    DOCBUS_RETURN_IF_ERROR(blob.Write(p.held, data.substr(p.held - offset)));
  }  // closed before the row is updated (an UPDATE would expire it)
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
  DOCBUS_ASSIGN_OR_RETURN(
      Blob blob, Blob::Open(db_->handle(), "uploads", upload->rowid, false));
  return blob.Read(offset, length);
}

Status SqliteBrokerStore::AdoptUpload(const UploadKey& key,
                                      std::string_view sha256) {
  DOCBUS_ASSIGN_OR_RETURN(std::optional<UploadRow> upload, FindUpload(key));
  if (!upload.has_value()) return Status(Code::kNotFound, "no such upload");
  const uint64_t size = upload->progress.total_size;
  SqliteQuery reserve = Query(schema::kReserveAttachment);
  reserve->BindBlob(1, sha256).Bind(2, static_cast<int64_t>(size));
  DOCBUS_RETURN_IF_ERROR(reserve->Run());
  if (db_->changes() == 1) {
    const int64_t attachment = db_->last_insert_rowid();
    DOCBUS_ASSIGN_OR_RETURN(
        Blob from, Blob::Open(db_->handle(), "uploads", upload->rowid, false));
    DOCBUS_ASSIGN_OR_RETURN(
        Blob to, Blob::Open(db_->handle(), "attachments", attachment, true));
    for (uint64_t at = 0; at < size; at += kCopyBytes) {
      DOCBUS_ASSIGN_OR_RETURN(std::string piece, from.Read(at, kCopyBytes));
      DOCBUS_RETURN_IF_ERROR(to.Write(at, piece));
    }
  }
  SqliteQuery drop = Query(schema::kDeleteUpload);
  drop->Bind(1, upload->rowid);
  return drop->Run();
}

Status SqliteBrokerStore::DeleteUploads(std::string_view sender,
                                        std::string_view message_id) {
  SqliteQuery q = Query(schema::kDeleteUploads);
  q->BindText(1, sender).BindText(2, message_id);
  return q->Run();
}

Result<int64_t> SqliteBrokerStore::DeleteUploadsBefore(int64_t unix_ms) {
  SqliteQuery q = Query(schema::kDeleteUploadsBefore);
  q->Bind(1, unix_ms);
  DOCBUS_RETURN_IF_ERROR(q->Run());
  return db_->changes();
}

}  // namespace docbus::store
