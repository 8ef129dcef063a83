#include "agents/inbox_attachment_bytes.h"

#include "agents/attachment_files.h"
#include "agents/drop_files.h"

namespace docbus::agent {

Status LoadAttachmentBytes(IncomingDocument& document,
                           uint64_t max_total_bytes) {
  uint64_t total = 0;
  for (const v1::AttachmentManifest& m : document.header.attachments()) {
    total += std::min<uint64_t>(m.size(), max_total_bytes + 1);
  }
  if (total > max_total_bytes) {
    return Status(Code::kTooLarge,
                  "document " + document.summary.message_id +
                      ": attachments of " + std::to_string(total) +
                      " bytes; an inline export carries"
                      " at most " +
                      std::to_string(max_total_bytes) +
                      " bytes (download each with GET /v1/inbox/" +
                      document.summary.message_id + "/attachments/<n>)");
  }
  for (size_t i = 0;
       i < document.attachment_files.size() && i < document.attachments.size();
       ++i) {
    if (document.attachment_files[i].empty()) continue;
    DOCBUS_ASSIGN_OR_RETURN(
        document.attachments[i].data,
        ReadRegularFile(document.attachment_files[i],
                        static_cast<size_t>(max_total_bytes)));
  }
  return Status::Ok();
}

}  // namespace docbus::agent
