// An agent without its broker: BrokerConnectivity counts from start or from
// the session's loss, says "offline" once past broker.offline_after_ms and
// "back" once when the session returns; the HTTP API then answers /healthz
// 503 with the reason, and a pending document says why it is pending.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agents/broker_connectivity.h"
#include "agents/http_api.h"
#include "front_fake_service.h"

namespace docbus::agent {
namespace {

using Change = BrokerConnectivity::Change;
constexpr char kToken[] = "s3cret-token-0123456789abcdef";
constexpr char kEndpoint[] = "tcp://127.0.0.1:7100";

TEST_CASE("an agent without a session is offline once past the limit, and "
          "says each change once",
          "[front][connectivity]") {
  FakeClock clock;
  BrokerConnectivity link(clock, kEndpoint, 5000);
  CHECK(link.Update(false) == Change::kNone);
  CHECK_FALSE(link.Read().offline);
  CHECK(link.MillisUntilOffline() == 5001);
  clock.Advance(std::chrono::milliseconds(5001));
  CHECK(link.Read().offline);
  CHECK(link.Read().disconnected_ms == 5001);
  CHECK(link.Update(false) == Change::kWentOffline);
  clock.Advance(std::chrono::seconds(60));
  CHECK(link.Update(false) == Change::kNone);  // said once
  CHECK(link.MillisUntilOffline() == -1);
  CHECK(link.Reason() == std::string("not connected to the broker at ") +
                             kEndpoint + " since " + FormatUtc(1'780'000'000'000));

  CHECK(link.Update(true) == Change::kBackOnline);
  CHECK(link.Update(true) == Change::kNone);
  CHECK(link.Read().connected);
  CHECK_FALSE(link.Read().offline);
  CHECK(link.Read().disconnected_ms == 0);

  // A short loss is not worth saying; the limit counts from the loss.
  clock.Advance(std::chrono::seconds(10));
  const int64_t lost_at = clock.NowUnixMillis();
  CHECK(link.Update(false) == Change::kNone);
  clock.Advance(std::chrono::milliseconds(3000));
  CHECK(link.Update(true) == Change::kNone);
  CHECK(link.Update(false) == Change::kNone);
  clock.Advance(std::chrono::milliseconds(5001));
  CHECK(link.Update(false) == Change::kWentOffline);
  CHECK(link.Reason().find(FormatUtc(lost_at + 3000)) != std::string::npos);
}

TEST_CASE("the API's /healthz and pending documents tell that the broker is "
          "out of reach",
          "[front][connectivity]") {
  FakeClock clock;
  BrokerConnectivity link(clock, kEndpoint, 5000);
  testing::FakeAgentService service;
  HttpApiOptions options;
  options.token = kToken;
  options.clock = &clock;
  options.connectivity = &link;
  auto api = StartHttpApi(service, options);
  REQUIRE(api.ok());
  httplib::Client client((*api)->url());
  client.set_bearer_token_auth(kToken);

  OutgoingView pending;
  pending.message_id = NewMessageId(clock);
  pending.state = "pending";
  service.AddOutgoing(pending);
  OutgoingView accepted;
  accepted.message_id = NewMessageId(clock);
  accepted.state = "accepted";
  service.AddOutgoing(accepted);
  const auto view = [&](const std::string& id) {
    auto res = client.Get(("/v1/documents/" + id).c_str());
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return nlohmann::json::parse(res->body);
  };

  // Not connected yet, but within the limit: ready, yet a pending document
  // already says why it waits.
  auto health = client.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(view(pending.message_id).value("pending_reason", "") == link.Reason());
  CHECK_FALSE(view(accepted.message_id).contains("pending_reason"));

  clock.Advance(std::chrono::milliseconds(5001));
  health = client.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 503);
  CHECK(health->body == link.Reason() + "\n");
  auto list = client.Get("/v1/documents");
  REQUIRE(list);
  size_t with_reason = 0;
  const nlohmann::json listed = nlohmann::json::parse(list->body);
  for (const auto& d : listed["documents"]) {
    if (d.contains("pending_reason")) ++with_reason;
  }
  CHECK(with_reason == 1);

  link.Update(true);
  health = client.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK_FALSE(view(pending.message_id).contains("pending_reason"));
}

}  // namespace
}  // namespace docbus::agent
