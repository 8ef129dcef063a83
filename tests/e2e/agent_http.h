// A raw request to a running agent's HTTP API with its token, for the tests
// that need what Deployment::Get/Post hide: the status code of a refusal,
// extra headers (Idempotency-Key), a non-JSON body, a dropped connection.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tools/local/deployment.h"

namespace docbus::e2e {

struct AgentAnswer {
  int status = 0;  // 0: no answer (the connection failed or dropped)
  std::string body;
  std::string content_type;
  httplib::Headers headers;

  // The body as JSON (discarded when it is not JSON).
  nlohmann::json json() const {
    return nlohmann::json::parse(body, nullptr, false);
  }
  // Header `name`'s value, "" when absent.
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// `method` is "GET" or "POST"; the body is sent with `content_type`.
AgentAnswer CallAgent(local::Deployment& d, const std::string& agency,
                      const std::string& method, const std::string& path,
                      const std::string& body = "",
                      const std::string& content_type = "application/json",
                      const httplib::Headers& extra = {});

// POSTs document `number` from G22 to H41 with a Prefer header ("" for
// none).
AgentAnswer SubmitPreferring(local::Deployment& d, int number,
                             const std::string& prefer);

}  // namespace docbus::e2e
