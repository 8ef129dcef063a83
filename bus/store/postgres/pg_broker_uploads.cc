// PgBrokerStore: attachments and large uploads, written and read a chunk at
// a time. An upload is a row in `uploads` and its chunks rows in `chunks`,
// each written once as it arrives; a complete upload becomes an attachment
// by reference (`large_attachments` names the upload), so no statement
// holds, copies or rewrites a whole large attachment. A read fetches one
// chunk's piece (substring on the server) and a small attachment's piece
// straight from its TOAST slices. Everything runs in the caller's
// transaction.
#include <algorithm>

#include "bus/store/postgres/pg_broker_store.h"

namespace docbus::store::pg {

Result<PgBrokerStore::AttachmentRow> PgBrokerStore::FindAttachment(
    std::string_view sha256) {
  DOCBUS_ASSIGN_OR_RETURN(PgResult r,
                          Run(kFindAttachment, PgParams().Bytes(sha256)));
  if (r.rows() == 0) {
    return Status(Code::kNotFound, "no attachment with that digest");
  }
  return AttachmentRow{r.Int(0, 0), static_cast<uint64_t>(r.Int(0, 1)),
                       r.Int(0, 2)};
}

Result<std::string> PgBrokerStore::ReadChunk(int64_t upload, uint64_t offset,
                                             size_t length) {
  // A piece is at most one chunk; bytea values are at most 1 GiB.
  const int64_t want =
      static_cast<int64_t>(std::min<size_t>(length, size_t{1} << 30));
  DOCBUS_ASSIGN_OR_RETURN(
      PgResult r,
      Run(kReadChunk,
          PgParams().Int(upload).Int(static_cast<int64_t>(offset)).Int(want)));
  const uint64_t start = r.rows() > 0 ? static_cast<uint64_t>(r.Int(0, 0)) : 0;
  const uint64_t size = r.rows() > 0 ? static_cast<uint64_t>(r.Int(0, 1)) : 0;
  if (r.rows() == 0 || offset - start >= size) {
    return Status(Code::kInvalidField,
                  "offset " + std::to_string(offset) + " is not stored");
  }
  return r.String(0, 2);
}

Result<std::string> PgBrokerStore::ReadAttachment(std::string_view sha256,
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

Result<std::string> PgBrokerStore::GetAttachment(std::string_view sha256) {
  DOCBUS_ASSIGN_OR_RETURN(AttachmentRow found, FindAttachment(sha256));
  std::string out;
  while (out.size() < found.size) {
    DOCBUS_ASSIGN_OR_RETURN(
        std::string piece,
        ReadFound(found, out.size(), found.size - out.size()));
    if (piece.empty()) {
      return Status(Code::kCorruption, "attachment shorter than its size");
    }
    if (out.empty()) {
      out = std::move(piece);
    } else {
      out += piece;
    }
  }
  return out;
}

Result<std::string> PgBrokerStore::ReadFound(const AttachmentRow& found,
                                             uint64_t offset, size_t length) {
  if (offset == found.size) return std::string();
  if (found.upload > 0) return ReadChunk(found.upload, offset, length);
  const uint64_t want = std::min<uint64_t>(length, found.size - offset);
  DOCBUS_ASSIGN_OR_RETURN(
      PgResult r,
      Run(kReadAttachmentPiece, PgParams()
                                    .Int(found.id)
                                    .Int(static_cast<int64_t>(offset))
                                    .Int(static_cast<int64_t>(want))));
  if (r.rows() == 0) return Status(Code::kNotFound, "attachment gone");
  return r.String(0, 0);
}

Result<std::optional<PgBrokerStore::UploadRow>> PgBrokerStore::FindUpload(
    const UploadKey& key) {
  DOCBUS_ASSIGN_OR_RETURN(PgResult r,
                          Run(kFindUpload, PgParams()
                                               .Text(key.sender)
                                               .Text(key.message_id)
                                               .Int(key.attachment)));
  if (r.rows() == 0) return std::optional<UploadRow>();
  return std::optional<UploadRow>(UploadRow{
      r.Int(0, 0), UploadProgress{static_cast<uint64_t>(r.Int(0, 1)),
                                  static_cast<uint64_t>(r.Int(0, 2))}});
}

Result<uint64_t> PgBrokerStore::AppendUpload(const UploadKey& key,
                                             uint64_t total_size,
                                             uint64_t offset,
                                             std::string_view data,
                                             int64_t now_unix_ms) {
  DOCBUS_ASSIGN_OR_RETURN(std::optional<UploadRow> upload, FindUpload(key));
  if (!upload.has_value()) {
    if (offset != 0) return uint64_t{0};  // a gap: nothing held yet
    DOCBUS_ASSIGN_OR_RETURN(
        PgResult r,
        Run(kInsertUpload, PgParams()
                               .Text(key.sender)
                               .Text(key.message_id)
                               .Int(key.attachment)
                               .Int(static_cast<int64_t>(total_size))
                               .Int(now_unix_ms)));
    upload = UploadRow{r.Int(0, 0), UploadProgress{total_size, 0}};
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
  DOCBUS_RETURN_IF_ERROR(
      Run(kInsertChunk, PgParams()
                            .Int(upload->id)
                            .Int(static_cast<int64_t>(p.held))
                            .Bytes(data.substr(p.held - offset)))
          .status());
  DOCBUS_RETURN_IF_ERROR(
      Run(kSetUploadHeld,
          PgParams().Int(upload->id).Int(static_cast<int64_t>(end)))
          .status());
  return end;
}

Result<std::optional<UploadProgress>> PgBrokerStore::GetUpload(
    const UploadKey& key) {
  DOCBUS_ASSIGN_OR_RETURN(std::optional<UploadRow> upload, FindUpload(key));
  if (!upload.has_value()) return std::optional<UploadProgress>();
  return std::optional<UploadProgress>(upload->progress);
}

Result<std::string> PgBrokerStore::ReadUpload(const UploadKey& key,
                                              uint64_t offset, size_t length) {
  DOCBUS_ASSIGN_OR_RETURN(std::optional<UploadRow> upload, FindUpload(key));
  if (!upload.has_value()) return Status(Code::kNotFound, "no such upload");
  if (offset >= upload->progress.held) return std::string();
  return ReadChunk(upload->id, offset, length);
}

Status PgBrokerStore::AdoptUpload(const UploadKey& key,
                                  std::string_view sha256) {
  DOCBUS_ASSIGN_OR_RETURN(std::optional<UploadRow> upload, FindUpload(key));
  if (!upload.has_value()) return Status(Code::kNotFound, "no such upload");
  Result<AttachmentRow> stored = FindAttachment(sha256);
  if (stored.status().code() == Code::kNotFound) {
    DOCBUS_RETURN_IF_ERROR(
        Run(kAdoptUpload,
            PgParams()
                .Bytes(sha256)
                .Int(upload->id)
                .Int(static_cast<int64_t>(upload->progress.total_size)))
            .status());
  } else {
    DOCBUS_RETURN_IF_ERROR(stored.status());
    // Stored already (content-addressed): the new bytes are not needed.
    DOCBUS_RETURN_IF_ERROR(
        Run(kDeleteChunks, PgParams().Int(upload->id)).status());
  }
  return Run(kDeleteUpload, PgParams().Int(upload->id)).status();
}

Status PgBrokerStore::DeleteUploads(std::string_view sender,
                                    std::string_view message_id) {
  DOCBUS_RETURN_IF_ERROR(
      Run(kDeleteUploadChunks, PgParams().Text(sender).Text(message_id))
          .status());
  return Run(kDeleteUploads, PgParams().Text(sender).Text(message_id)).status();
}

Result<int64_t> PgBrokerStore::DeleteUploadsBefore(int64_t unix_ms) {
  DOCBUS_RETURN_IF_ERROR(
      Run(kDeleteOldUploadChunks, PgParams().Int(unix_ms)).status());
  DOCBUS_ASSIGN_OR_RETURN(PgResult r,
                          Run(kDeleteUploadsBefore, PgParams().Int(unix_ms)));
  return r.affected();
}

}  // namespace docbus::store::pg
