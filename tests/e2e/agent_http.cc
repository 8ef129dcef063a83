#include "tests/e2e/agent_http.h"

#include <catch2/catch.hpp>

#include "tests/e2e/e2e_support.h"
#include "tools/agent_client.h"

namespace docbus::e2e {

AgentAnswer CallAgent(local::Deployment& d, const std::string& agency,
                      const std::string& method, const std::string& path,
                      const std::string& body, const std::string& content_type,
                      const httplib::Headers& extra) {
  auto client = agent_cli::AgentClient::Find(d.agent_data(agency));
  REQUIRE(client.ok());
  httplib::Client http(client->url());
  http.set_read_timeout(60);
  httplib::Headers headers{{"Authorization", "Bearer " + client->token()}};
  headers.insert(extra.begin(), extra.end());
  httplib::Result r = method == "GET"
                          ? http.Get(path, headers)
                          : http.Post(path, headers, body, content_type);
  AgentAnswer out;
  if (!r) return out;
  out.status = r->status;
  out.body = r->body;
  out.content_type = r->get_header_value("Content-Type");
  out.headers = r->headers;
  return out;
}

AgentAnswer SubmitPreferring(local::Deployment& d, int number,
                             const std::string& prefer) {
  std::string attachment;
  httplib::Headers headers;
  if (!prefer.empty()) headers.emplace("Prefer", prefer);
  return CallAgent(d, kG22, "POST", "/v1/documents",
                   MakeDocument({kH41}, number, 100, &attachment).dump(),
                   "application/json", headers);
}

}  // namespace docbus::e2e
