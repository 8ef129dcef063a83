// The auditor's read-side views of an exported log (no daemon running):
// loading its records, each document's history (`docbus audit replay`) and
// every entry about one document (`docbus audit trace`). Loading does not
// verify anything; run VerifyExportedLog for that. Pure functions over the
// loaded records; safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/checkpoint.h"
#include "bus/core/status.h"
#include "docbus/v1/audit.pb.h"

namespace docbus::audit {

struct LoadedRecord {
  int64_t index = 0;
  v1::AuditRecord record;
};

struct LoadedLog {
  Checkpoint checkpoint;  // as found, signature not checked
  std::string signed_checkpoint;
  std::vector<std::string> entries;  // exact bytes, by index
  std::vector<LoadedRecord> records;
};

// Reads the checkpoint and the entries it covers. kNotFound / kMalformed /
// kCorruption (an entry that does not parse) naming the index.
Result<LoadedLog> LoadExportedLog(const std::filesystem::path& dir);

// One record as JSON: index, event, time (ISO 8601 UTC), ids, digests in
// hex, prior_index (or null).
nlohmann::json RecordJson(const LoadedRecord& record);
// One record as a line of text (no trailing newline).
std::string RecordText(const LoadedRecord& record);
// A REGISTRY entry's changes: "REVOKED 000.00.00.G02, ROTATED …".
std::string RegistryChangesText(const v1::AuditRecord& record);

// Each document's history in log order, documents in the order they first
// appear: [{message_id, document_id, sender, recipients, events: [...]}].
nlohmann::json Replay(const LoadedLog& log);
std::string ReplayText(const LoadedLog& log);

// Every record about the document with this bus message id or edXML
// DocumentId, in log order. Empty when the log does not mention it.
std::vector<const LoadedRecord*> Trace(const LoadedLog& log,
                                       std::string_view id);

// "2026-05-29T10:15:30.123Z".
std::string FormatTimeMs(int64_t unix_ms);

}  // namespace docbus::audit
