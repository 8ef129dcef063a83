// Agent: the lookups the edXML bridge needs (agent_service.h), answered from
// the registry snapshot and the store reader.
#include "agents/agent.h"

namespace docbus::agent {

Result<AgencyName> Agent::ResolveAgency(std::string_view id_or_alias) {
  const std::shared_ptr<const registry::AgencyRegistry> registry =
      pki_->registry();
  const registry::Agency* agency = registry->Resolve(id_or_alias);
  if (agency == nullptr) {
    return Status(Code::kUnknownAgency, "no registered agency has this id");
  }
  return AgencyName{agency->id, agency->name};
}

Result<std::string> Agent::SubmittedWithKey(std::string_view key) {
  return reader_->MessageIdForKey(key);
}

Result<std::string> Agent::FindIncoming(std::string_view sender,
                                        std::string_view document_id) {
  return reader_->IncomingByDocumentId(sender, document_id);
}

Result<std::string> Agent::FindSent(std::string_view document_id) {
  return reader_->SentByDocumentId(document_id);
}

Result<v1::StatusBody> Agent::StatusReceived(std::string_view status_id) {
  DOCBUS_ASSIGN_OR_RETURN(std::string bytes,
                          reader_->SignedStatusReceived(status_id));
  v1::SignedStatus status;
  v1::StatusBody body;
  if (!status.ParseFromString(bytes) || !body.ParseFromString(status.body())) {
    return Status(Code::kCorruption, "stored status " +
                                         std::string(status_id) +
                                         " does not parse");
  }
  return body;
}

}  // namespace docbus::agent
