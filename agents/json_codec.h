// json_codec: the JSON forms of the agent's front ends (agents/API.md): a
// document an agency system submits (HTTP body or a drop folder's
// document.json) parsed into a DocumentRequest, a status report, and the
// answers (outgoing state, inbox, statuses) rendered as JSON.
//
// Parsing is strict: unknown keys and wrong types are refused here; what the
// values may be (ids, dates, ranges, lengths, required fields) is decided by
// the one header / status validator (bus/document/), the same the builder and
// the broker apply, with JsonLimits as its limits. Either way the answer is
// kInvalidField (or kTooLarge for attachments over the limits) with a message
// that starts with the JSON path of the field, e.g.
// "attachments[1].data_base64: not valid base64", "code.number: must be
// digits". kMalformed when the text is not JSON at all. Parsing never throws
// and never changes state.
//
// This is the one file of agents/ that parses JSON with nlohmann-json; the
// Render* functions build values that DumpJson serialises without throwing.
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agents/agent_service.h"
#include "bus/core/status.h"
#include "docbus/v1/notice.pb.h"

namespace docbus::agent {

struct JsonLimits {
  size_t max_recipients = 500;
  size_t max_subject_bytes = 2000;
  size_t max_content_bytes = 64 * 1024;
  size_t max_description_bytes = 2000;  // status descriptions, business reason
  size_t max_text_bytes = 1000;         // every other text field
  size_t max_list_items = 100;          // response_for, to_places
  size_t max_attachments = 64;
  size_t max_attachment_bytes = size_t{2} << 30;
  size_t max_total_attachment_bytes = size_t{4} << 30;
  // Attachment bytes inside the request itself (base64, in-memory parts).
  size_t max_inline_bytes = size_t{64} << 20;
  int64_t max_expires_in_s = int64_t{366} * 24 * 3600;
  int max_nesting = 16;  // JSON arrays/objects inside each other
};

// Where an attachment's "file" reference is found (a file of a drop folder
// submission, a part of a multipart request): fills `a`'s data, or its
// uploaded_sha256 when the bytes went to the outbox files; kNotFound when
// there is none by that name, kTooLarge over a limit (naming it).
using AttachmentFiles =
    std::function<Status(const std::string& name, AttachmentInput* a)>;

// A POST /v1/documents body. Attachments carry "data_base64" (at most
// limits.max_inline_bytes together), "attachment_id" (the lowercase hex
// SHA-256 POST /v1/attachments answered), or, when `files` is given (a
// multipart submission, the drop folder), "file": the name of the part or
// file with the bytes. Without `files` "file" is refused (an HTTP client
// must not make the agent read its local files). `now_unix_ms` turns
// "expires_in_s" into the header's expires_unix_ms.
Result<DocumentRequest> DocumentRequestFromJson(std::string_view text,
                                                int64_t now_unix_ms,
                                                const JsonLimits& limits = {},
                                                AttachmentFiles files = {});

// A drop folder's document.json. Each attachment carries either "file" (a
// plain file name inside `submission_folder`: no '/', no leading '.', a
// regular file, not a symlink) or "data_base64". The attachment's "name"
// defaults to its file name. kIoError when a named file cannot be read.
// Files are read into memory (the drop folder itself streams large ones
// into the outbox files: DropFolderFiles, agents/drop_files.h).
Result<DocumentRequest> DropDocumentFromJson(
    std::string_view text, const std::filesystem::path& submission_folder,
    int64_t now_unix_ms, const JsonLimits& limits = {});

// The request as JSON in the POST /v1/documents shape (attachments inline,
// expiry as "expires_unix_ms"); DocumentRequestFromJson reads it back.
nlohmann::json RenderDocumentRequest(const DocumentRequest& request);

// A POST /v1/documents/<id>/status body: {"code": 3, "description": "...",
// "to": "<agency id>"}. Codes are the edXML ones docbus carries (1-6, 13, 15,
// 16); code 2 (refused) needs a description.
struct StatusReport {
  v1::StatusCode code = v1::STATUS_UNSPECIFIED;
  std::string description;
  std::string to;  // empty: the agent picks (the document's sender)
};
Result<StatusReport> StatusReportFromJson(std::string_view text,
                                          const JsonLimits& limits = {});

// Answers. Signed headers are rendered field by field; byte strings (digests
// in hex, signatures and attachment data in base64) are marked in API.md.
// `attachment_files`, when not empty, adds "file" to each manifest entry
// (the drop folder's inbox export says where it put each attachment).
nlohmann::json RenderHeader(
    const v1::DocumentHeader& header,
    const std::vector<std::string>& attachment_files = {});
nlohmann::json RenderOutgoing(const OutgoingView& view);
nlohmann::json RenderStatus(const StatusView& view);
nlohmann::json RenderIncomingSummary(const IncomingSummary& summary);
// Summary fields + "header" + "header_base64" + "signature_base64" +
// "attachments" with "data_base64".
nlohmann::json RenderIncomingDocument(const IncomingDocument& document);
// {"error": "<code name>", "detail": "<message>"}.
nlohmann::json RenderError(const Status& status);

// Serialises without throwing (invalid UTF-8 is replaced); indent < 0 gives
// one line.
std::string DumpJson(const nlohmann::json& value, int indent = -1);

// True for a name usable as a plain file name in a folder: 1..255 bytes, no
// '/', '\\' or control characters, not starting with '.'.
bool IsPlainFileName(std::string_view name);

}  // namespace docbus::agent
