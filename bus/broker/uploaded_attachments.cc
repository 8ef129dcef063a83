#include "bus/broker/uploaded_attachments.h"

#include <algorithm>

#include "bus/core/chunks.h"
#include "bus/crypto/sha256.h"

namespace docbus::broker {
namespace {

store::UploadKey KeyOf(std::string_view sender,
                       const v1::DocumentHeader& header, int index) {
  return store::UploadKey{std::string(sender), header.message_id(),
                          static_cast<uint32_t>(index)};
}

}  // namespace

Status CheckUploads(store::BrokerStore& store, std::string_view sender,
                    const v1::DocumentHeader& header,
                    const crypto::AttachmentLimits& limits,
                    uint64_t max_total_bytes, Status* verdict) {
  *verdict = crypto::CheckManifest(header, limits);
  if (!verdict->ok()) return Status::Ok();
  const uint64_t total = crypto::ManifestBytes(header, max_total_bytes);
  if (total > max_total_bytes) {
    *verdict = Status(Code::kTooLarge,
                      "attachments total " + std::to_string(total) +
                          " bytes, over limits.max_document_bytes (" +
                          std::to_string(max_total_bytes) + ")");
    return Status::Ok();
  }
  for (int i = 0; i < header.attachments_size(); ++i) {
    const v1::AttachmentManifest& a = header.attachments(i);
    const std::string name = "attachment " + std::to_string(i);
    crypto::Sha256Stream digest;
    if (a.size() > 0) {
      const store::UploadKey key = KeyOf(sender, header, i);
      DOCBUS_ASSIGN_OR_RETURN(std::optional<store::UploadProgress> upload,
                              store.GetUpload(key));
      if (!upload.has_value() || upload->total_size != a.size() ||
          upload->held != a.size()) {
        *verdict = Status(Code::kUnavailable,
                          name + " is not fully uploaded (" +
                              std::to_string(upload ? upload->held : 0) +
                              " of " + std::to_string(a.size()) + " bytes)");
        return Status::Ok();
      }
      for (uint64_t at = 0; at < a.size();) {
        DOCBUS_ASSIGN_OR_RETURN(std::string piece,
                                store.ReadUpload(key, at, kChunkBytes));
        if (piece.empty()) {
          return Status(Code::kCorruption, name + ": stored upload ends early");
        }
        digest.Update(piece);
        at += piece.size();
      }
    }
    if (digest.Finish() != a.sha256()) {
      *verdict =
          Status(Code::kDigestMismatch,
                 name + ": uploaded bytes differ from the signed manifest");
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Status AdoptUploads(store::BrokerStore& store, std::string_view sender,
                    const v1::DocumentHeader& header) {
  for (int i = 0; i < header.attachments_size(); ++i) {
    const v1::AttachmentManifest& a = header.attachments(i);
    if (a.size() == 0) {
      DOCBUS_RETURN_IF_ERROR(store.PutAttachment(a.sha256(), ""));
    } else {
      DOCBUS_RETURN_IF_ERROR(
          store.AdoptUpload(KeyOf(sender, header, i), a.sha256()));
    }
  }
  return Status::Ok();
}

}  // namespace docbus::broker
