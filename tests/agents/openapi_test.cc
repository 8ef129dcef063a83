// agents/openapi.json against a real agent (an Agent on a fresh data folder
// with a fake broker, its HTTP API and pull state): (a) every route the API's
// route table serves is described; (b) every described route and method,
// called with a request built from the description's own examples, answers
// one of its documented status codes with a body matching the documented
// schema, and without a token 401 where bearer auth is required; (c) an
// undescribed route is 404. The description itself must be OpenAPI-shaped.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "agents/http_api.h"
#include "tests/agents/agent_test_support.h"
#include "tests/agents/vdxp_test_support.h"
#include "tests/support/json_schema.h"
#include "tests/temp_dir.h"

namespace docbus::agent {
namespace {

using nlohmann::json;
constexpr char kToken[] = "openapi-test-token";

json Description() {
  std::ifstream in(std::string(DOCBUS_SOURCE_DIR) + "/agents/openapi.json");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  return doc;
}

// "/v1/inbox/([^/]+)/edxml" and "/v1/inbox/{message_id}/edxml" both become
// "/v1/inbox/{}/edxml".
std::string Template(std::string path) {
  path = std::regex_replace(path, std::regex(R"(\(\[\^/\]\+\))"), "{}");
  path = std::regex_replace(path, std::regex(R"(\(\[0-9\]\+\))"), "{}");
  return std::regex_replace(path, std::regex(R"(\{[A-Za-z_]+\})"), "{}");
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(c));
  return s;
}

std::string Text(const json& example) {
  return example.is_string() ? example.get<std::string>() : example.dump();
}

struct ApiFixture {
  ApiFixture() {
    pull = testing::MakePullQueue(dir.path() / "vdxp.db", *f.agent, clock);
    HttpApiOptions options;
    options.token = kToken;
    options.pull = pull.get();
    auto started = StartHttpApi(*f.agent, options);
    REQUIRE(started.ok());
    api = std::move(started).value();
  }
  testing::AgentWithBroker f;
  docbus::testing::TempDir dir{"docbus-openapi"};
  RealClock clock;
  std::unique_ptr<vdxp::PullQueue> pull;
  std::unique_ptr<HttpApi> api;
};

TEST_CASE("agents/openapi.json is an OpenAPI 3 description whose $refs resolve",
          "[openapi]") {
  const json doc = Description();
  REQUIRE(doc.value("openapi", "").rfind("3.", 0) == 0);
  CHECK(doc["info"].is_object());
  CHECK_FALSE(doc["info"].value("title", "").empty());
  CHECK_FALSE(doc["info"].value("version", "").empty());
  REQUIRE(doc["paths"].is_object());
  REQUIRE(doc["components"]["schemas"].is_object());
  CHECK(doc["components"]["securitySchemes"]["bearer"].value("scheme", "") ==
        "bearer");
  // Every $ref anywhere names something that exists.
  std::vector<const json*> todo{&doc};
  while (!todo.empty()) {
    const json* node = todo.back();
    todo.pop_back();
    if (node->is_object() && node->contains("$ref")) {
      std::string ref = (*node)["$ref"];
      REQUIRE(ref.rfind("#/components/", 0) == 0);
      json::json_pointer pointer(ref.substr(1));
      INFO(ref);
      CHECK(doc.contains(pointer));
    }
    if (node->is_structured()) {
      for (const auto& child : *node) todo.push_back(&child);
    }
  }
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      INFO(method << " " << path);
      CHECK(op["responses"].is_object());
      CHECK_FALSE(op.value("operationId", "").empty());
    }
  }
}

TEST_CASE("every route the agent's API serves is in agents/openapi.json",
          "[openapi]") {
  const json doc = Description();
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items())
      documented.insert(method + " " + Template(path));
  }
  REQUIRE_FALSE(HttpApiRoutes().empty());
  for (const ApiRoute& route : HttpApiRoutes()) {
    const std::string key = Lower(route.method) + " " + Template(route.pattern);
    INFO(route.name << ": " << key);
    CHECK(documented.contains(key));
  }
  // And nothing is described that the table does not serve.
  std::set<std::string> served;
  for (const ApiRoute& route : HttpApiRoutes())
    served.insert(Lower(route.method) + " " + Template(route.pattern));
  for (const std::string& key : documented) {
    INFO(key);
    CHECK(served.contains(key));
  }
}

TEST_CASE(
    "every documented route answers its examples with a documented status "
    "and a body matching its schema; 401 without the token; 404 off the "
    "description",
    "[openapi]") {
  const json doc = Description();
  ApiFixture fx;
  httplib::Client client(fx.api->url());
  client.set_read_timeout(30);
  int called = 0;
  std::set<std::string> statuses_seen;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string target = path, query;
      httplib::Headers headers;
      for (const auto& p : op.value("parameters", json::array())) {
        REQUIRE(p.contains("example"));
        const std::string value = Text(p["example"]);
        const std::string in = p["in"], name = p["name"];
        if (in == "path") {
          target =
              std::regex_replace(target, std::regex("\\{" + name + "\\}"),
                                 httplib::detail::encode_query_param(value));
        } else if (in == "query") {
          query += (query.empty() ? "?" : "&") + name + "=" +
                   httplib::detail::encode_query_param(value);
        } else if (in == "header") {
          headers.emplace(name, value);
        }
      }
      std::string body, content_type;
      if (op.contains("requestBody")) {
        const auto& content = op["requestBody"]["content"];
        for (const auto& [type, media] : content.items()) {
          if (!media.contains("example")) continue;
          content_type = type;
          body = Text(media["example"]);
          break;
        }
        REQUIRE_FALSE(content_type.empty());
      }
      const bool secured = !op.contains("security") || !op["security"].empty();
      for (const bool with_token : {true, false}) {
        if (!with_token && !secured) continue;
        httplib::Headers sent = headers;
        if (with_token)
          sent.emplace("Authorization", std::string("Bearer ") + kToken);
        httplib::Result r = method == "get" ? client.Get(target + query, sent)
                                            : client.Post(target + query, sent,
                                                          body, content_type);
        INFO(method << " " << target << query << " token=" << with_token);
        REQUIRE(r);
        INFO("answered " << r->status << " " << r->body.substr(0, 300));
        ++called;
        const std::string status = std::to_string(r->status);
        REQUIRE(op["responses"].contains(status));
        if (!with_token) CHECK(r->status == 401);
        statuses_seen.insert(method + " " + path + " " + status);
        json response = op["responses"][status];
        if (response.contains("$ref")) {
          response = doc[json::json_pointer(
              response["$ref"].get<std::string>().substr(1))];
        }
        REQUIRE(response["content"].is_object());
        bool matched_type = false;
        for (const auto& [type, media] : response["content"].items()) {
          if (r->get_header_value("Content-Type").rfind(type, 0) != 0) continue;
          matched_type = true;
          if (type != "application/json") continue;
          const json answer = json::parse(r->body, nullptr, false);
          REQUIRE_FALSE(answer.is_discarded());
          CHECK(docbus::testing::SchemaMismatch(media["schema"], answer, doc) ==
                "");
        }
        CHECK(matched_type);
      }
    }
  }
  CHECK(called > static_cast<int>(HttpApiRoutes().size()));
  // The examples reach the routes' work, not only their refusals.
  CHECK(statuses_seen.contains("post /v1/documents 202"));
  CHECK(statuses_seen.contains("get /v1/inbox 200"));
  CHECK(statuses_seen.contains("get /v1/pull 200"));

  httplib::Headers auth{{"Authorization", std::string("Bearer ") + kToken}};
  for (const std::string& undocumented :
       {std::string("/v1/undocumented"), std::string("/v2/documents"),
        std::string("/v1/inbox/a/b/c")}) {
    auto r = client.Get(undocumented, auth);
    REQUIRE(r);
    INFO(undocumented);
    CHECK(r->status == 404);
    const json answer = json::parse(r->body, nullptr, false);
    CHECK(docbus::testing::SchemaMismatch(doc["components"]["schemas"]["Error"],
                                          answer, doc) == "");
  }
}

TEST_CASE("the schema validator reports what does not match", "[openapi]") {
  const json doc = Description();
  const json& summary = doc["components"]["schemas"]["InboxList"];
  json good = {{"documents", json::array()}, {"next_after", 3}};
  CHECK(docbus::testing::SchemaMismatch(summary, good, doc) == "");
  json bad = good;
  bad["next_after"] = "3";
  CHECK(docbus::testing::SchemaMismatch(summary, bad, doc) ==
        "$.next_after: not integer");
  bad = good;
  bad.erase("documents");
  CHECK(docbus::testing::SchemaMismatch(summary, bad, doc) ==
        "$: missing documents");
  bad = good;
  bad["documents"] = {{{"seq", 1}}};
  CHECK(docbus::testing::SchemaMismatch(summary, bad, doc)
            .rfind("$.documents[0]: missing", 0) == 0);
  const json state = {{"type", "string"}, {"enum", {"new", "reported"}}};
  CHECK(docbus::testing::SchemaMismatch(state, "old", doc) ==
        "$: \"old\" is not in the enum");
}

}  // namespace
}  // namespace docbus::agent
