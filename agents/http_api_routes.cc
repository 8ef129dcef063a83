// What the agent's HTTP API serves (agents/http_api.h, HttpApiRoutes).
#include "agents/http_api.h"

namespace docbus::agent {

// The one table of what the API serves: Route() takes method and pattern
// from here by name, and Start() aborts if an entry is left unbound, so the
// table is exactly what is served (tests/agents/openapi_test.cc checks
// agents/openapi.json against it).
constexpr ApiRoute kApiRoutes[] = {
    {"POST", "/v1/documents", "submit"},
    {"GET", "/v1/documents", "list_outgoing"},
    {"GET", R"(/v1/documents/([^/]+))", "outgoing"},
    {"POST", R"(/v1/documents/([^/]+)/status)", "report_status"},
    {"GET", "/v1/inbox", "list_incoming"},
    {"GET", R"(/v1/inbox/([^/]+))", "incoming"},
    {"GET", "/v1/statuses", "list_statuses"},
    {"GET", "/v1/pull", "pull_list"},
    {"POST", R"(/v1/pull/([^/]+))", "pull_update"},
    {"POST", "/v1/edxml", "edxml_import"},
    {"GET", R"(/v1/inbox/([^/]+)/edxml)", "edxml_export"},
    {"GET", R"(/v1/statuses/([^/]+)/edxml)", "edxml_status_export"},
    {"GET", R"(/v1/inbox/([^/]+)/attachments/([0-9]+))", "inbox_attachment"},
    {"POST", "/v1/attachments", "upload_attachment"},
    {"GET", "/v1/audit", "broker_audit"},
    {"GET", "/metrics", "metrics"},
    {"GET", "/healthz", "healthz"},
};

std::span<const ApiRoute> HttpApiRoutes() { return kApiRoutes; }

}  // namespace docbus::agent
