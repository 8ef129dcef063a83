// The native pull routes of the agent's API (/v1/pull): the same pull state
// as the SDK endpoint, over real HTTP against a fake agent.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agents/http_api.h"
#include "agents/vdxp/pull_queue.h"
#include "tests/agents/front_fake_service.h"
#include "tests/agents/vdxp_test_support.h"
#include "tests/temp_dir.h"

namespace docbus::agent::vdxp {
namespace {

using nlohmann::json;
using testing::FakeAgentService;

constexpr char kToken[] = "pull-token-0123456789abcdef0123";

struct RoutesFixture {
  RoutesFixture() {
    queue = testing::MakePullQueue(dir.path() / "vdxp.db", service, clock);
    HttpApiOptions options;
    options.token = kToken;
    options.pull = queue.get();
    auto started = StartHttpApi(service, options);
    REQUIRE(started.ok());
    api = std::move(started).value();
  }

  httplib::Result Get(const std::string& path) {
    httplib::Client client(api->url());
    client.set_bearer_token_auth(kToken);
    return client.Get(path.c_str());
  }
  httplib::Result Post(const std::string& path, const std::string& body) {
    httplib::Client client(api->url());
    client.set_bearer_token_auth(kToken);
    return client.Post(path.c_str(), body, "application/json");
  }
  std::vector<std::string> Listed(const std::string& kind = "document") {
    httplib::Result res = Get("/v1/pull?kind=" + kind);
    REQUIRE(res);
    REQUIRE(res->status == 200);
    const json body = json::parse(res->body);
    std::vector<std::string> ids;
    for (const json& p : body["packets"]) {
      ids.push_back(p["id"].get<std::string>());
    }
    return ids;
  }

  docbus::testing::TempDir dir;
  FakeAgentService service;
  FakeClock clock;
  std::unique_ptr<PullQueue> queue;
  std::unique_ptr<HttpApi> api;
};

TEST_CASE(
    "GET /v1/pull lists received packets until POST /v1/pull/<id> "
    "done",
    "[vdxp][pull][http]") {
  RoutesFixture f;
  f.service.AddIncoming(testing::MakeIncoming("m1", {}));
  f.service.AddIncoming(testing::MakeIncoming("m2", {}));
  StatusView status;
  status.status_id = "s1";
  status.message_id = "m0";
  status.from = "000.00.00.H41";
  status.code = 5;
  f.service.AddStatus(status);

  CHECK(f.Listed() == std::vector<std::string>{"m1", "m2"});
  httplib::Result statuses = f.Get("/v1/pull?kind=status");
  REQUIRE(statuses);
  const json s1 = json::parse(statuses->body)["packets"][0];
  CHECK(s1["id"] == "s1");
  CHECK(s1["message_id"] == "m0");
  CHECK(s1["code"] == 5);

  httplib::Result failed = f.Post("/v1/pull/m1", R"({"state": "fail"})");
  REQUIRE(failed);
  CHECK(failed->status == 200);
  CHECK(json::parse(failed->body)["state"] == "fail");
  CHECK(f.Listed() == std::vector<std::string>{"m1", "m2"});

  httplib::Result done = f.Post("/v1/pull/m1", R"({"state": "done"})");
  REQUIRE(done);
  CHECK(done->status == 200);
  CHECK(f.Listed() == std::vector<std::string>{"m2"});
  // The SDK endpoint shares the state: m1 is done there too.
  CHECK(f.queue->Get("m1")->state == PullState::kDone);

  SECTION("bad requests are refused and change nothing") {
    for (const auto& [path, body, code] :
         std::vector<std::tuple<std::string, std::string, int>>{
             {"/v1/pull/m2", "not json", 400},
             {"/v1/pull/m2", R"({"state": "finished"})", 400},
             {"/v1/pull/nope", R"({"state": "done"})", 404},
             {"/v1/pull/m1", R"({"state": "fail"})", 409}}) {
      CAPTURE(path, body);
      httplib::Result res = f.Post(path, body);
      REQUIRE(res);
      CHECK(res->status == code);
    }
    CHECK(f.Listed() == std::vector<std::string>{"m2"});
    httplib::Result bad_kind = f.Get("/v1/pull?kind=letters");
    REQUIRE(bad_kind);
    CHECK(bad_kind->status == 400);
  }
}

}  // namespace
}  // namespace docbus::agent::vdxp
