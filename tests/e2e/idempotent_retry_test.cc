// A client that lost its answer retries with the same Idempotency-Key: the
// sending agent is killed (SIGKILL, bus/core/crash_point.h
// "agent.submit_committed") after it committed the submission to its outbox
// and before it answered, so the client sees the connection drop. After a
// restart the same POST answers 202 with the message id the agent stored
// the first time, and the recipient gets the document once. The edXML route
// (keyed by the envelope's bytes) does the same.
#include <catch2/catch.hpp>

#include "tests/e2e/agent_http.h"
#include "tests/e2e/e2e_support.h"
#include "tests/edxml/edxml_samples.h"

namespace docbus::e2e {
namespace {

const local::Deployment::Env kCrashAfterCommit{
    {"DOCBUS_CRASH_AT", "agent.submit_committed"}};

// The message ids of everything the agent's outbox holds.
std::vector<std::string> OutboxIds(local::Deployment& d,
                                   const std::string& agency) {
  auto list = d.Get(agency, "/v1/documents?limit=1000");
  REQUIRE(list.ok());
  std::vector<std::string> ids;
  for (const auto& doc : (*list)["documents"])
    ids.push_back(doc.value("message_id", ""));
  return ids;
}

// Restarts `agency` (killed at the crash point) without the crash point.
void Restart(local::Deployment& d, const std::string& agency) {
  REQUIRE(d.WaitAgentExit(agency, std::chrono::seconds(30)));
  REQUIRE(d.StartAgent(agency).ok());
}

TEST_CASE(
    "a POST retried with its Idempotency-Key after the agent was killed "
    "between commit and answer gets the original message id, and the "
    "recipient one document",
    "[e2e][crash][idempotency]") {
  auto d = MakeDeployment({kG22, kH41});
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kH41).ok());
  REQUIRE(d->StartAgent(kG22, kCrashAfterCommit).ok());

  std::string attachment;
  const std::string body = MakeDocument({kH41}, 1, 2000, &attachment).dump();
  const httplib::Headers key{{"Idempotency-Key", "e-office 2026/12 #4711"}};
  const AgentAnswer lost = CallAgent(*d, kG22, "POST", "/v1/documents", body,
                                     "application/json", key);
  CHECK(lost.status == 0);  // the connection dropped: no answer
  Restart(*d, kG22);

  // What the agent committed before it died, as its own listing shows.
  const std::vector<std::string> stored = OutboxIds(*d, kG22);
  REQUIRE(stored.size() == 1);

  const AgentAnswer retry = CallAgent(*d, kG22, "POST", "/v1/documents", body,
                                      "application/json", key);
  INFO(retry.body);
  REQUIRE(retry.status == 202);
  const std::string id =
      nlohmann::json::parse(retry.body).value("message_id", "");
  CHECK(id == stored[0]);
  CHECK(OutboxIds(*d, kG22).size() == 1);

  REQUIRE(WaitForReceipts(*d, {{kG22, id, {kH41}}}, std::chrono::seconds(60)));
  const auto inbox = InboxCounts(*d, kH41);
  CHECK(inbox.size() == 1);
  CHECK(inbox.count(id) == 1);
  CHECK(inbox.at(id) == 1);
  CHECK(InboxAttachment(*d, kH41, id) == attachment);
}

TEST_CASE(
    "an edXML envelope posted again after the agent was killed between "
    "commit and answer is the same document",
    "[e2e][crash][idempotency][edxml]") {
  auto d = MakeDeployment({kG22, kH41, "000.00.00.H14"});
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kH41).ok());
  REQUIRE(d->StartAgent(kG22, kCrashAfterCommit).ok());

  const std::string xml = edxml::testing::Sample("new_two_attachments.edxml");
  const AgentAnswer lost = CallAgent(*d, kG22, "POST", "/v1/edxml", xml,
                                     "application/xml; charset=utf-8");
  CHECK(lost.status == 0);
  Restart(*d, kG22);
  const std::vector<std::string> stored = OutboxIds(*d, kG22);
  REQUIRE(stored.size() == 1);

  const AgentAnswer retry = CallAgent(*d, kG22, "POST", "/v1/edxml", xml,
                                      "application/xml; charset=utf-8");
  INFO(retry.body);
  REQUIRE(retry.status == 200);
  const nlohmann::json answer = nlohmann::json::parse(retry.body);
  CHECK(answer.value("duplicate", false));
  CHECK(answer.value("message_id", "") == stored[0]);
  CHECK(OutboxIds(*d, kG22).size() == 1);
}

}  // namespace
}  // namespace docbus::e2e
