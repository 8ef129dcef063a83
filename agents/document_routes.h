// The API's read-only JSON views of documents and statuses (agents/API.md
// §1, §4): GET /v1/documents[/<id>], /v1/inbox[/<id>], /v1/statuses. Each
// reads its path and query parameters from the request and answers the
// JSON body, or kInvalidField / kNotFound naming what was wrong.
//
// Thread-safety: stateless; the AgentService is thread-safe.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "agents/agent_service.h"
#include "agents/broker_connectivity.h"
#include "bus/core/status.h"

namespace docbus::agent {

// A pending document says why while the agent has no session with the
// broker (`link`, may be null): the usual answer to "why is my document
// still pending?".
Result<nlohmann::json> OutgoingJson(AgentService& service,
                                    const BrokerConnectivity* link,
                                    const httplib::Request& req);
Result<nlohmann::json> ListOutgoingJson(AgentService& service,
                                        const BrokerConnectivity* link,
                                        const httplib::Request& req);
Result<nlohmann::json> ListInboxJson(AgentService& service,
                                     const httplib::Request& req);
Result<nlohmann::json> IncomingJson(AgentService& service,
                                    const httplib::Request& req);
// StatusView carries no seq, so the cursor handed back assumes seqs that
// start at 1 without gaps: it never skips a status, and with gaps a status
// may be listed again (see API.md).
Result<nlohmann::json> ListStatusesJson(AgentService& service,
                                        const httplib::Request& req);

}  // namespace docbus::agent
