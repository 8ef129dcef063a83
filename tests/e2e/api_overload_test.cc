// The agent API's back-pressure (agents/api_admission.h, prefer_wait.h):
// when every server thread is taken, a submission that waited longer than
// http.max_queue_ms is answered 503 with Retry-After and changes nothing;
// once threads are free the same submission goes through. At most all but
// four threads wait for the broker (`Prefer: wait`); a request beyond them
// is answered without waiting.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "tests/e2e/agent_http.h"
#include "tests/e2e/e2e_support.h"
#include "tools/agent_client.h"

namespace docbus::e2e {
namespace {

constexpr int kServerThreads = 16;  // agents/http_api.cc

// Connections to the agent's API that send nothing: each holds one server
// thread until the server's keep-alive timeout (2 s).
std::vector<int> IdleConnections(local::Deployment& d, int count) {
  auto client = agent_cli::AgentClient::Find(d.agent_data(kG22));
  REQUIRE(client.ok());
  const std::string& url = client->url();
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  std::vector<int> fds;
  for (int i = 0; i < count; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    fds.push_back(fd);
    // httplib listens with a backlog of 5: connections made faster than it
    // accepts them overflow it and reach the server later, out of order.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fds;
}

size_t OutgoingCount(local::Deployment& d) {
  const AgentAnswer list = CallAgent(d, kG22, "GET", "/v1/documents");
  REQUIRE(list.status == 200);
  return list.json()["documents"].size();
}

TEST_CASE(
    "an agent whose API threads are all taken answers a submission 503 with "
    "Retry-After, stores nothing, and takes it once threads are free",
    "[e2e][api]") {
  local::DeploymentOptions options;
  options.agent_max_queue_ms = 200;
  auto d = MakeDeployment({kG22, kH41}, options);
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kG22).ok());
  REQUIRE(d->StartAgent(kH41).ok());

  // Twice as many as threads: the second half takes any thread the first
  // half leaves early, so the submission queues. Now and then one still
  // finds a thread free (the server's own timing), so up to three tries;
  // each document taken is counted.
  AgentAnswer shed;
  size_t taken_before = 0;
  for (int attempt = 0; attempt < 3 && shed.status != 503; ++attempt) {
    std::vector<int> idle = IdleConnections(*d, 2 * kServerThreads);
    shed = SubmitPreferring(*d, 100 + attempt, "");
    for (int fd : idle) ::close(fd);
    if (shed.status == 202) ++taken_before;
  }
  REQUIRE(shed.status == 503);
  CHECK(shed.header("Retry-After") == "1");
  CHECK(shed.json().value("error", "") == "unavailable");
  CHECK(OutgoingCount(*d) == taken_before);
  CHECK(AgentMetric(*d, kG22,
                    "docbus_agent_api_refused_total{reason=\"overloaded\"}") ==
        1);

  const AgentAnswer taken = SubmitPreferring(*d, 1, "");
  REQUIRE(taken.status == 202);
  const std::string id = taken.json().value("message_id", "");
  CHECK(OutgoingCount(*d) == taken_before + 1);
  CHECK(WaitForReceipts(*d, {{kG22, id, {kH41}}}, std::chrono::seconds(60)));
}

TEST_CASE(
    "Prefer: wait holds at most all but four API threads; a request beyond "
    "them is answered at once without waiting",
    "[e2e][api]") {
  auto d = MakeDeployment({kG22, kH41});
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kG22).ok());
  REQUIRE(d->StartAgent(kH41).ok());
  REQUIRE(d->StopBroker().ok());  // nobody answers: every wait lasts

  constexpr int kWaiters = kServerThreads - 4;
  std::vector<AgentAnswer> answers(kWaiters + 1);
  std::vector<std::thread> threads;
  for (int i = 0; i <= kWaiters; ++i) {
    threads.emplace_back(
        [&, i] { answers[i] = SubmitPreferring(*d, i + 1, "wait=5"); });
  }
  for (auto& t : threads) t.join();
  int waited = 0, unwaited = 0;
  for (const AgentAnswer& a : answers) {
    REQUIRE(a.status == 202);
    if (a.header("Preference-Applied") == "wait=5") {
      CHECK(a.json().value("state", "") == "pending");
      ++waited;
    } else {
      CHECK_FALSE(a.json().contains("state"));
      ++unwaited;
    }
  }
  CHECK(waited == kWaiters);
  CHECK(unwaited == 1);
  CHECK(OutgoingCount(*d) == kWaiters + 1);
}

}  // namespace
}  // namespace docbus::e2e
