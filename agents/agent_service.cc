// The defaults of AgentService's edXML lookups: a service that does not
// answer them refuses what needs them.
#include "agents/agent_service.h"

namespace docbus::agent {

Result<AgencyName> AgentService::ResolveAgency(std::string_view) {
  return Status(Code::kUnknownAgency, "this service resolves no agency");
}

Result<std::string> AgentService::SubmittedWithKey(std::string_view) {
  return Status(Code::kNotFound, "no document with this idempotency key");
}

Result<std::string> AgentService::FindIncoming(std::string_view,
                                               std::string_view) {
  return Status(Code::kNotFound, "no received document with this DocumentId");
}

Result<std::string> AgentService::FindSent(std::string_view) {
  return Status(Code::kNotFound, "no sent document with this DocumentId");
}

Result<v1::StatusBody> AgentService::StatusReceived(std::string_view) {
  return Status(Code::kNotFound, "no received status with this id");
}

const document::TimeZone& AgentService::time_zone() const {
  static const document::TimeZone* const kUtc =
      new document::TimeZone(document::TimeZone::Utc());
  return *kUtc;
}

}  // namespace docbus::agent
