// DropFolder: the file-based front end of the agent, for agency systems that
// exchange files rather than call the HTTP API (format in agents/API.md).
//
//   <folder>/outbox/<name>/   a submission: document.json + attachment files,
//                             moved in by rename; names starting with '.' are
//                             ignored (a system's own temporaries)
//   <folder>/sent/<name>/     submitted: the same folder plus `message-id`
//   <folder>/failed/<name>/   refused: the same folder plus `error.txt`
//                             ("<code name>: <detail>")
//   <folder>/inbox/<message id>/   each received document: header.json,
//                             header.bin (exact signed bytes), signature.der,
//                             attachments/<name>
//   <folder>/status/<status id>.json   each status received
//   <folder>/.tmp/, .inbox-cursor, .status-cursor   the agent's own
//
// A scan submits every submission in the outbox (name order), then exports
// received documents and statuses newer than the cursors. Exports are built
// under .tmp/, every file and folder fsynced, then renamed into place, so an
// agency system never sees half a document; cursors advance only after. A
// submission whose Submit fails with kUnavailable or kIoError stays in the
// outbox and is retried at the next scan.
//
// Thread-safety: one background thread scans every scan_interval; ScanNow()
// may be called from any thread and is serialised with it. The destructor
// stops the thread after the scan in progress.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "agents/agent_service.h"
#include "agents/json_codec.h"
#include "bus/core/clock.h"
#include "bus/core/status.h"

namespace docbus::agent {

class DropFolder {
 public:
  virtual ~DropFolder() = default;
  // One full scan now. Ok, or the first I/O problem met (the scan goes on
  // with other entries where it can; refused submissions are not errors).
  virtual Status ScanNow() = 0;
  virtual const std::filesystem::path& folder() const = 0;
};

// Creates the subfolders (kIoError when it cannot), then scans every
// scan_interval, the first time one interval after start. `service` must
// outlive the DropFolder. `clock` (nullptr = the system clock) turns
// expires_in_s into a time.
Result<std::unique_ptr<DropFolder>> StartDropFolder(
    AgentService& service, const std::filesystem::path& folder,
    std::chrono::milliseconds scan_interval = std::chrono::milliseconds(500),
    const Clock* clock = nullptr, const JsonLimits& limits = {});

// Writes one received document as <parent>/<message id>/ (header.json,
// header.bin, signature.der, attachments/<file>) by way of a temporary
// folder under `scratch` (same file system) and one rename, fsyncing files
// and folders. Attachment names that are not plain file names are replaced
// by attachment-<n>; header.json says which file holds which attachment.
// kAlreadyExists when <parent>/<message id> exists; kInvalidField when the
// message id is not one; kIoError otherwise. Used by the drop folder; also
// by anyone saving a document from the inbox.
Status ExportIncomingDocument(const IncomingDocument& document,
                              const std::filesystem::path& parent,
                              const std::filesystem::path& scratch);

}  // namespace docbus::agent
