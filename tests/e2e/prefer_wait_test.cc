// POST /v1/documents with `Prefer: wait=N` (agents/prefer_wait.h): the
// answer waits for the broker's. With the broker up it says "accepted"; with
// the broker down it says "pending" once the wait is over, and the document
// is still sent when the broker comes back. Without the preference the
// answer is the plain 202 it always was.
#include <catch2/catch.hpp>

#include "tests/e2e/agent_http.h"
#include "tests/e2e/e2e_support.h"

namespace docbus::e2e {
namespace {

TEST_CASE(
    "Prefer: wait answers once the broker accepted the document, or "
    "pending when the broker did not answer in time",
    "[e2e][api]") {
  auto d = MakeDeployment({kG22, kH41});
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kG22).ok());
  REQUIRE(d->StartAgent(kH41).ok());

  const AgentAnswer plain = SubmitPreferring(*d, 1, "");
  REQUIRE(plain.status == 202);
  CHECK_FALSE(plain.json().contains("state"));
  CHECK(plain.header("Preference-Applied").empty());

  const AgentAnswer waited = SubmitPreferring(*d, 2, "respond-async, wait=30");
  REQUIRE(waited.status == 202);
  CHECK(waited.json().value("state", "") == "accepted");
  CHECK(waited.header("Preference-Applied") == "wait=30");
  // The answer tells what the agent's own view says.
  const std::string accepted_id = waited.json().value("message_id", "");
  auto view = d->Get(kG22, "/v1/documents/" + accepted_id);
  REQUIRE(view.ok());
  CHECK((*view)["state"] == "accepted");

  REQUIRE(d->StopBroker().ok());
  const AgentAnswer late = SubmitPreferring(*d, 3, "wait=1");
  REQUIRE(late.status == 202);
  CHECK(late.json().value("state", "") == "pending");
  CHECK(late.header("Preference-Applied") == "wait=1");

  // A preference it cannot read is ignored, as RFC 7240 asks.
  const AgentAnswer odd = SubmitPreferring(*d, 4, "wait=soon");
  REQUIRE(odd.status == 202);
  CHECK_FALSE(odd.json().contains("state"));

  REQUIRE(d->StartBroker().ok());
  const std::string late_id = late.json().value("message_id", "");
  CHECK(WaitForReceipts(*d, {{kG22, late_id, {kH41}}},
                        std::chrono::seconds(60)));
}

}  // namespace
}  // namespace docbus::e2e
