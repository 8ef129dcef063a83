// The agent API's streamed requests (agents/API.md, "Large attachments"):
// attachment bytes go straight to the outbox files as they arrive, hashed
// on the way, never held whole in memory nor carried as base64.
// - POST /v1/attachments: the raw body is one attachment; the answer names
//   it by its SHA-256 (the "attachment_id" a document then refers to).
// - POST /v1/documents as multipart/form-data: the part "document" is the
//   document's JSON (in memory, bounded); every other part is a file
//   streamed into the outbox files, referred to from the JSON by its part
//   name ("file"). A JSON body is read into memory, bounded.
// Every POST route reads its body itself, so that none is held in memory
// beyond its own bound; after a refusal the rest of a body is drained.
//
// Thread-safety: stateless; the AgentService is thread-safe.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "agents/agent_service.h"
#include "agents/json_codec.h"
#include "bus/core/status.h"

namespace docbus::agent {

// The body of any other POST, into memory: at most `max_bytes` (kTooLarge
// "request body larger than N bytes"; the rest is read and dropped, so that
// the client gets the answer), kMalformed when it ended early.
Result<std::string> ReadBody(const httplib::Request& req,
                             const httplib::ContentReader& read,
                             size_t max_bytes);

// POST /v1/attachments: {"attachment_id": "<sha256 hex>", "size": N} once
// the bytes are durable. kTooLarge naming limits.max_attachment_bytes,
// kResourceExhausted while the data folder is nearly full, kMalformed when
// the body ended early.
Result<nlohmann::json> UploadAttachment(AgentService& service,
                                        const httplib::ContentReader& read);

// A POST /v1/documents body as DocumentRequestFromJson reads it, with a
// multipart submission's parts streamed to the outbox files; the JSON (body
// or part) at most `max_json_bytes` (kTooLarge naming the bound).
Result<DocumentRequest> ReadSubmission(AgentService& service,
                                       const httplib::Request& req,
                                       const httplib::ContentReader& read,
                                       const JsonLimits& limits,
                                       size_t max_json_bytes,
                                       int64_t now_unix_ms);

}  // namespace docbus::agent
