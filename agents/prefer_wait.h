// POST /v1/documents with `Prefer: wait=N` (RFC 7240 §4.3): the caller is
// answered once the broker has answered the document (Accepted, or a final
// Rejected) or N seconds have passed, as a publisher waits for its confirm
// (agents/API.md, "Waiting for the broker's answer"). Without it the answer
// comes as soon as the document is durable in the outbox.
//
// Thread-safety: stateless; the AgentService is thread-safe.
#pragma once

#include <httplib.h>

#include <chrono>
#include <string>

#include "agents/agent_service.h"

namespace docbus::agent {

// A wait holds one of the API's server threads, so it is bounded.
inline constexpr std::chrono::seconds kMaxPreferWait{60};

// The wait the request prefers: 0 without a `wait` preference, else N
// seconds, at most kMaxPreferWait. A preference that does not parse is
// ignored, as RFC 7240 §2 asks of a server.
std::chrono::seconds PreferredWait(const httplib::Request& req);

// The 202 answer to a document just submitted as `message_id`:
// {"message_id"}; after a wait also "state" (accepted, rejected, or
// pending when the broker had not answered in time) with "reason" and
// "detail" for a rejection, and the header Preference-Applied: wait=N.
void AnswerSubmitted(AgentService& service, const std::string& message_id,
                     std::chrono::seconds wait, httplib::Response& res);

}  // namespace docbus::agent
