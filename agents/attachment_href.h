// Where a received document's attachment is downloaded from, and which
// attachments the JSON view of the document inlines (agents/API.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace docbus::agent {

// Attachments larger than this, or kept in a file, are not inlined (base64)
// in the JSON view of a received document: it gives their href instead.
inline constexpr uint64_t kMaxInlineAttachmentBytes = uint64_t{1} << 20;

// "/v1/inbox/<id>/attachments/<n>", served by agents/download_routes.h.
inline std::string InboxAttachmentHref(std::string_view message_id,
                                       size_t index) {
  return "/v1/inbox/" + std::string(message_id) + "/attachments/" +
         std::to_string(index);
}

}  // namespace docbus::agent
