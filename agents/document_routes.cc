#include "agents/document_routes.h"

#include <algorithm>
#include <climits>

#include "agents/http_request.h"
#include "agents/json_codec.h"

namespace docbus::agent {
namespace {

using nlohmann::json;

json WithPendingReason(const OutgoingView& view,
                       const BrokerConnectivity* link) {
  json body = RenderOutgoing(view);
  if (view.state == "pending" && link != nullptr && !link->Read().connected) {
    body["pending_reason"] = link->Reason();
  }
  return body;
}

}  // namespace

Result<json> OutgoingJson(AgentService& service, const BrokerConnectivity* link,
                          const httplib::Request& req) {
  DOCBUS_ASSIGN_OR_RETURN(std::string id, PathMessageId(req));
  DOCBUS_ASSIGN_OR_RETURN(OutgoingView view, service.Outgoing(id));
  return WithPendingReason(view, link);
}

Result<json> ListOutgoingJson(AgentService& service,
                              const BrokerConnectivity* link,
                              const httplib::Request& req) {
  DOCBUS_ASSIGN_OR_RETURN(
      int64_t limit, QueryInt(req, "limit", kDefaultListLimit, kMaxListLimit));
  DOCBUS_ASSIGN_OR_RETURN(auto views, service.ListOutgoing(limit));
  json list = json::array();
  for (const OutgoingView& v : views) {
    list.push_back(WithPendingReason(v, link));
  }
  return json{{"documents", std::move(list)}};
}

Result<json> ListInboxJson(AgentService& service, const httplib::Request& req) {
  DOCBUS_ASSIGN_OR_RETURN(InboxQuery query, InboxQueryOf(req));
  const int64_t after = query.after_seq;
  DOCBUS_ASSIGN_OR_RETURN(auto summaries, service.ListInbox(query));
  json list = json::array();
  int64_t next = after;
  for (const IncomingSummary& s : summaries) {
    list.push_back(RenderIncomingSummary(s));
    next = std::max(next, s.seq);
  }
  return json{{"documents", std::move(list)}, {"next_after", next}};
}

Result<json> IncomingJson(AgentService& service, const httplib::Request& req) {
  DOCBUS_ASSIGN_OR_RETURN(std::string id, PathMessageId(req));
  DOCBUS_ASSIGN_OR_RETURN(IncomingDocument document, service.Incoming(id));
  return RenderIncomingDocument(document);
}

Result<json> ListStatusesJson(AgentService& service,
                              const httplib::Request& req) {
  DOCBUS_ASSIGN_OR_RETURN(int64_t after,
                          QueryInt(req, "after", 0, INT64_MAX / 2));
  DOCBUS_ASSIGN_OR_RETURN(
      int64_t limit, QueryInt(req, "limit", kDefaultListLimit, kMaxListLimit));
  DOCBUS_ASSIGN_OR_RETURN(auto statuses,
                          service.ListStatusesReceived(after, limit));
  json list = json::array();
  for (const StatusView& s : statuses) list.push_back(RenderStatus(s));
  const int64_t next = after + static_cast<int64_t>(statuses.size());
  return json{{"statuses", std::move(list)}, {"next_after", next}};
}

}  // namespace docbus::agent
