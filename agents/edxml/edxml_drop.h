// The drop folder's edXML files (agents/API.md, "Drop folder"): an envelope
// or status packet put into outbox/ as <name>.edxml is imported through the
// bridge; every received document is also written as inbox/<message
// id>.edxml and every received status as status/<status id>.edxml.
//
// The drop folder (agents/drop_folder.cc) calls these; they only read and
// write the files named. Thread-safe as the bridge is.
#pragma once

#include <filesystem>
#include <string_view>

#include "agents/edxml/edxml_bridge.h"

namespace docbus::agent {

inline constexpr std::string_view kEdxmlFileSuffix = ".edxml";

// True for an outbox entry the bridge imports (a name ending in ".edxml").
bool IsEdxmlSubmission(std::string_view name);

// Reads `file` (a regular file, at most the bridge's envelope limit) and
// imports it. Errors: those of ReadRegularFile and EdxmlBridge::Import.
Result<EdxmlImported> ImportEdxmlFile(EdxmlBridge& bridge,
                                      const std::filesystem::path& file,
                                      size_t max_bytes);

// Writes <dir>/<id>.edxml (the document's envelope, or the status's packet)
// atomically unless it exists. kInvalidField for an id that is not a
// message id; the bridge's errors; kIoError.
Status WriteDocumentEdxml(EdxmlBridge& bridge, std::string_view message_id,
                          const std::filesystem::path& dir);
Status WriteStatusEdxml(EdxmlBridge& bridge, std::string_view status_id,
                        const std::filesystem::path& dir);

}  // namespace docbus::agent
