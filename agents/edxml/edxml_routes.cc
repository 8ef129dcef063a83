#include "agents/edxml/edxml_routes.h"

#include "bus/core/ids.h"

namespace docbus::agent {
namespace {

Status CheckId(std::string_view field, std::string_view id) {
  Status valid = ValidateMessageId(id);
  if (!valid.ok()) {
    return Status(Code::kInvalidField,
                  std::string(field) + ": " + valid.message());
  }
  return Status::Ok();
}

}  // namespace

Result<EdxmlImportAnswer> PostEdxml(EdxmlBridge& bridge,
                                    std::string_view body) {
  DOCBUS_ASSIGN_OR_RETURN(EdxmlImported imported, bridge.Import(body));
  EdxmlImportAnswer answer;
  answer.http_status = imported.duplicate ? 200 : 202;
  answer.body = nlohmann::json{
      {"kind", imported.kind},
      {imported.kind == "status" ? "status_id" : "message_id", imported.id},
      {"duplicate", imported.duplicate},
      {"mapped", imported.mapped},
      {"unmapped", imported.unmapped}};
  return answer;
}

Result<std::string> GetDocumentEdxml(EdxmlBridge& bridge,
                                     std::string_view message_id) {
  DOCBUS_RETURN_IF_ERROR(CheckId("message_id", message_id));
  return bridge.ExportDocument(message_id);
}

Result<std::string> GetStatusEdxml(EdxmlBridge& bridge,
                                   std::string_view status_id) {
  DOCBUS_RETURN_IF_ERROR(CheckId("status_id", status_id));
  return bridge.ExportStatus(status_id);
}

}  // namespace docbus::agent
