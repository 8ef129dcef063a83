// What the agent's HTTP front ends share (this API, agents/http_api.cc, and
// the SDK endpoint, agents/vdxp): the loopback listen address, query and
// path parameters read with a bound and a reason, and the HTTP status that
// answers each refusal code.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "agents/agent_service.h"
#include "bus/core/http_listener.h"
#include "bus/core/status.h"

namespace docbus::agent {

// "<host>:<port>" with host 127.0.0.1 or [::1]: both front ends are for
// the agency's own systems on this machine. kInvalidArgument naming config
// key `key` otherwise.
Result<HttpListenAddress> ParseLoopbackListen(std::string_view listen,
                                              std::string_view key);

// Query parameter `name` as an integer from 0 to `max`; `fallback` when it
// is absent; kInvalidField naming it otherwise.
Result<int64_t> QueryInt(const httplib::Request& req, const char* name,
                         int64_t fallback, int64_t max);

// Query parameter `name` as a time in Unix milliseconds: digits (Unix ms) or
// RFC 3339 (2026-12-07T08:30:00Z, 2026-12-07T15:30:00.250+07:00); `fallback`
// when absent; kInvalidField "<name>: ..." otherwise.
Result<int64_t> QueryTime(const httplib::Request& req, const char* name,
                          int64_t fallback);
// RFC 3339 date-time text as Unix milliseconds; kInvalidField otherwise.
Result<int64_t> ParseRfc3339Millis(std::string_view text);

// The message id captured by the route's first group (UUIDv7 text);
// kInvalidField "message_id: …" otherwise.
Result<std::string> PathMessageId(const httplib::Request& req);

// The HTTP status answering a refusal with `code` (400, 403, 404, 409, 413,
// 503, else 500).
int HttpStatusFor(Code code);

// The bounds of a list's `limit` query parameter.
inline constexpr int64_t kDefaultListLimit = 100;
inline constexpr int64_t kMaxListLimit = 1000;

// GET /v1/inbox's filters and paging (agents/API.md); kInvalidField naming
// the parameter for a bad value (a 400).
Result<InboxQuery> InboxQueryOf(const httplib::Request& req);

}  // namespace docbus::agent
