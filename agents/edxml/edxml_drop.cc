#include "agents/edxml/edxml_drop.h"

#include <functional>

#include "agents/drop_files.h"
#include "bus/core/files.h"
#include "bus/core/ids.h"

namespace docbus::agent {
namespace {

Status WriteOnce(std::string_view id, const std::filesystem::path& dir,
                 const std::function<Result<std::string>()>& xml) {
  DOCBUS_RETURN_IF_ERROR(ValidateMessageId(id));
  const std::filesystem::path file =
      dir / (std::string(id) + std::string(kEdxmlFileSuffix));
  if (PathExists(file)) return Status::Ok();
  DOCBUS_ASSIGN_OR_RETURN(std::string bytes, xml());
  DOCBUS_RETURN_IF_ERROR(WriteFileAtomically(file, bytes));
  return SyncDir(dir);
}

}  // namespace

bool IsEdxmlSubmission(std::string_view name) {
  return name.size() > kEdxmlFileSuffix.size() &&
         name.substr(name.size() - kEdxmlFileSuffix.size()) == kEdxmlFileSuffix;
}

Result<EdxmlImported> ImportEdxmlFile(EdxmlBridge& bridge,
                                      const std::filesystem::path& file,
                                      size_t max_bytes) {
  DOCBUS_ASSIGN_OR_RETURN(std::string bytes, ReadRegularFile(file, max_bytes));
  return bridge.Import(bytes);
}

Status WriteDocumentEdxml(EdxmlBridge& bridge, std::string_view message_id,
                          const std::filesystem::path& dir) {
  return WriteOnce(message_id, dir,
                   [&] { return bridge.ExportDocument(message_id); });
}

Status WriteStatusEdxml(EdxmlBridge& bridge, std::string_view status_id,
                        const std::filesystem::path& dir) {
  return WriteOnce(status_id, dir,
                   [&] { return bridge.ExportStatus(status_id); });
}

}  // namespace docbus::agent
