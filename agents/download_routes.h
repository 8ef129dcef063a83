// GET /v1/inbox/<id>/attachments/<n>: one attachment of a received document,
// its bytes as they are (agents/API.md, "Downloading an attachment"). The
// body streams from the attachment's file (AttachmentFileStore) a slice at a
// time, or from the inbox row for one kept inline; the headers say what it
// is: Content-Type (the manifest's media type), Content-Length,
// Content-Disposition (RFC 6266, filename and filename*), Repr-Digest
// (RFC 9530, sha-256), ETag (the SHA-256 in hex) and Accept-Ranges. A single
// Range (a-b, a-, -n) is answered 206 with Content-Range, one beyond the end
// 416; If-None-Match with the ETag answers 304.
//
// Thread-safety: stateless; the AgentService is thread-safe.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <string>

#include "agents/agent_service.h"
#include "bus/core/status.h"

namespace docbus::agent {

// An answer the route writes itself: its status and how it fills the
// response (headers, and the body or a content provider).
struct DownloadResponse {
  int status = 200;
  std::function<void(httplib::Response&)> fill;
};

// The answer to `req` (the route's groups: message id, index). Errors:
// kInvalidField for a bad id, kNotFound for an unknown document or index,
// kIoError when the attachment's file cannot be opened.
Result<DownloadResponse> InboxAttachmentDownload(AgentService& service,
                                                 const httplib::Request& req);

}  // namespace docbus::agent
