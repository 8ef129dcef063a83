// GET /v1/inbox's filters on a real agent's store: documents delivered by
// two senders, one of them answered with a status; each filter lists what
// matches, paging with next_after keeps the filters, and a bad value is 400
// naming its parameter with nothing else changed.
#include <httplib.h>

#include <catch2/catch.hpp>

#include "agent_test_support.h"
#include "agents/http_api.h"
#include "agents/http_request.h"

namespace docbus::agent {
namespace {

using nlohmann::json;
using testing::kAgencyA;
using testing::kAgencyB;
using testing::kAgencyC;
constexpr char kToken[] = "inbox-filter-token";

struct Fixture : testing::AgentWithBroker {
  Fixture() {
    HttpApiOptions options;
    options.token = kToken;
    auto started = StartHttpApi(*agent, options);
    REQUIRE(started.ok());
    api = std::move(started).value();
  }
  std::string Deliver(uint64_t delivery_id, const std::string& from) {
    auto signer = pki.SignerFor(from);
    testing::SignedDocument doc =
        testing::MakeDocument(*signer, from, {kAgencyA}, {{"a.txt", "x"}});
    broker.Send(routing, testing::DeliverDocumentFrame(delivery_id, doc));
    REQUIRE(broker.Next(v1::Frame::kAck, testing::kWait));
    return doc.header.message_id();
  }
  // The message ids GET <query> lists, and its next_after.
  std::pair<std::vector<std::string>, int64_t> List(const std::string& query) {
    httplib::Client client(api->url());
    client.set_bearer_token_auth(kToken);
    auto r = client.Get("/v1/inbox" + query);
    REQUIRE(r);
    INFO(query << " -> " << r->body);
    REQUIRE(r->status == 200);
    const json body = json::parse(r->body);
    std::vector<std::string> ids;
    for (const auto& d : body["documents"]) ids.push_back(d["message_id"]);
    return {ids, body["next_after"].get<int64_t>()};
  }
  std::unique_ptr<HttpApi> api;
};

using Ids = std::vector<std::string>;

TEST_CASE("the inbox lists by sender, state and time, and pages with filters",
          "[agent][inbox]") {
  Fixture f;
  const std::string b1 = f.Deliver(1, kAgencyB);
  const std::string c1 = f.Deliver(2, kAgencyC);
  const std::string b2 = f.Deliver(3, kAgencyB);
  REQUIRE(f.agent->ReportStatus(b1, v1::STATUS_ARRIVED, "").ok());

  CHECK(f.List("").first == Ids{b1, c1, b2});
  CHECK(f.List("?sender=" + std::string(kAgencyB)).first == Ids{b1, b2});
  CHECK(f.List("?sender=" + std::string(kAgencyC)).first == Ids{c1});
  CHECK(f.List("?state=reported").first == Ids{b1});
  CHECK(f.List("?state=new").first == Ids{c1, b2});
  CHECK(f.List("?state=new&sender=" + std::string(kAgencyB)).first == Ids{b2});
  CHECK(f.List("?priority=0").first.size() == 3);
  CHECK(f.List("?priority=4").first.empty());

  // Paging keeps the filters: one at a time from B.
  const std::string from_b = "&sender=" + std::string(kAgencyB);
  auto [first, next] = f.List("?limit=1" + from_b);
  CHECK(first == Ids{b1});
  auto [second, next2] =
      f.List("?limit=1&after=" + std::to_string(next) + from_b);
  CHECK(second == Ids{b2});
  auto [none, next3] =
      f.List("?limit=1&after=" + std::to_string(next2) + from_b);
  CHECK(none.empty());
  CHECK(next3 == next2);

  // Times: received at or after `since`, before `until`.
  auto all = f.agent->ListIncoming(0, 10);
  REQUIRE(all.ok());
  const int64_t t_c1 = (*all)[1].received_unix_ms;
  Ids since;
  for (const auto& s : *all)
    if (s.received_unix_ms >= t_c1) since.push_back(s.message_id);
  CHECK(f.List("?since=" + std::to_string(t_c1)).first == since);
  CHECK(f.List("?until=" + std::to_string(t_c1)).first.size() ==
        3 - since.size());
  CHECK(f.List("?since=2000-01-01T00:00:00Z&until=2999-01-01T07:00:00%2B07:00")
            .first.size() == 3);
  CHECK(f.List("?since=2999-01-01T00:00:00Z").first.empty());
}

TEST_CASE("a bad inbox filter is 400 naming the parameter", "[agent][inbox]") {
  Fixture f;
  httplib::Client client(f.api->url());
  client.set_bearer_token_auth(kToken);
  for (const auto& [query, name] :
       std::vector<std::pair<std::string, std::string>>{
           {"sender=nobody", "sender"},
           {"priority=5", "priority"},
           {"priority=x", "priority"},
           {"since=yesterday", "since"},
           {"until=2026-13-01T00:00:00Z", "until"},
           {"state=archived", "state"},
           {"after=-1", "after"}}) {
    auto r = client.Get("/v1/inbox?" + query);
    REQUIRE(r);
    INFO(query << " -> " << r->body);
    CHECK(r->status == 400);
    const json body = json::parse(r->body);
    CHECK(body.value("error", "") == "invalid_field");
    CHECK(body.value("detail", "").rfind(name + ":", 0) == 0);
  }
}

TEST_CASE("RFC 3339 times are read with their offset", "[agent][inbox]") {
  CHECK(*ParseRfc3339Millis("1970-01-01T00:00:00Z") == 0);
  CHECK(*ParseRfc3339Millis("2026-12-07T08:30:00.250Z") == 1796632200250);
  CHECK(*ParseRfc3339Millis("2026-12-07T15:30:00.250+07:00") == 1796632200250);
  CHECK(*ParseRfc3339Millis("2026-12-07T03:30:00-05:00") == 1796632200000);
  CHECK_FALSE(ParseRfc3339Millis("2026-02-30T00:00:00Z").ok());
  CHECK_FALSE(ParseRfc3339Millis("2026-12-07 08:30").ok());
  CHECK_FALSE(ParseRfc3339Millis("2026-12-07T08:30:00").ok());
}

}  // namespace
}  // namespace docbus::agent
