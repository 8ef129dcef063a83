// The defaults of AgentService's optional calls (the edXML lookups, the
// inbox filters, attachment uploads, waiting for an answer): a service
// without them refuses what needs them.
#include "agents/agent_service.h"

namespace docbus::agent {

Result<std::vector<IncomingSummary>> AgentService::ListInbox(
    const InboxQuery& query) {
  if (!query.state.empty()) {
    return Status(Code::kInvalidArgument,
                  "state: this service keeps no inbox states");
  }
  std::vector<IncomingSummary> out;
  int64_t after = query.after_seq;
  while (static_cast<int64_t>(out.size()) < query.limit) {
    DOCBUS_ASSIGN_OR_RETURN(auto page, ListIncoming(after, 100));
    if (page.empty()) break;
    for (IncomingSummary& s : page) {
      after = s.seq;
      if (!query.sender.empty() && s.sender != query.sender) continue;
      if (query.priority >= 0 && s.priority != query.priority) continue;
      if (query.since_unix_ms >= 0 && s.received_unix_ms < query.since_unix_ms)
        continue;
      if (query.until_unix_ms >= 0 && s.received_unix_ms >= query.until_unix_ms)
        continue;
      out.push_back(std::move(s));
      if (static_cast<int64_t>(out.size()) == query.limit) break;
    }
  }
  return out;
}

Result<OutgoingView> AgentService::AwaitAnswer(std::string_view message_id,
                                              std::chrono::milliseconds) {
  return Outgoing(message_id);
}

Result<std::unique_ptr<OutboxFiles::Writer>> AgentService::BeginAttachment() {
  return Status(Code::kUnavailable, "this service takes no attachment uploads");
}

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
