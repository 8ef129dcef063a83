#include "tests/transport/transport_fixture.h"

#include <cstdio>
#include <cstdlib>
#include <span>

namespace docbus::transport::testing {
namespace {

[[noreturn]] void Fail(const Status& status) {
  std::fprintf(stderr, "transport fixture: %s\n", status.ToString().c_str());
  std::abort();
}

}  // namespace

TestAgency MakeAgency(std::string id) {
  auto keys = GenerateCurveKeyPair();
  if (!keys.ok()) Fail(keys.status());
  return TestAgency{std::move(id), *keys};
}

Authenticator AllowOnly(const std::vector<TestAgency>& agencies) {
  std::map<std::string, std::string, std::less<>> by_key;
  for (const auto& agency : agencies)
    by_key[agency.keys.public_z85] = agency.id;
  return [by_key](std::string_view key, std::string_view) {
    auto it = by_key.find(key);
    if (it == by_key.end()) return ZapDecision{false, "", "unknown key"};
    return ZapDecision{true, it->second, ""};
  };
}

bool WaitUntil(const std::function<bool()>& done,
               std::vector<zmq::socket_t*> sockets,
               std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    // Wakes on the next event on any socket; the short cap re-checks
    // conditions (e.g. counters on another thread) that no socket signals.
    auto polled = PollReadable(std::span<zmq::socket_t* const>(sockets),
                               std::chrono::milliseconds(10));
    if (!polled.ok()) return false;
  }
  return true;
}

TestBroker::TestBroker(const std::vector<TestAgency>& agencies,
                       BrokerSocketOptions broker_options, bool with_zap,
                       const CurveKeyPair* shared_keys) {
  if (shared_keys != nullptr) {
    keys = *shared_keys;
  } else {
    auto generated = GenerateCurveKeyPair();
    if (!generated.ok()) Fail(generated.status());
    keys = *generated;
  }
  options = std::move(broker_options);
  if (options.endpoint.empty()) options.endpoint = "tcp://127.0.0.1:*";
  options.curve_secret_z85 = keys.secret_z85;
  if (with_zap) {
    auto started = ZapHandler::Start(context, AllowOnly(agencies));
    if (!started.ok()) Fail(started.status());
    zap = std::move(started).value();
  }
  auto bound = BrokerSocket::Bind(context, options);
  if (!bound.ok()) Fail(bound.status());
  socket = std::move(bound).value();
  options.endpoint = socket->endpoint();
}

std::optional<BrokerSocket::Inbound> TestBroker::Receive(
    std::chrono::milliseconds deadline) {
  std::optional<BrokerSocket::Inbound> inbound;
  WaitUntil(
      [&] {
        auto received = socket->TryReceive();
        if (received.ok() && received->has_value()) inbound = **received;
        return inbound.has_value();
      },
      {&socket->socket()}, deadline);
  return inbound;
}

void TestBroker::Rebind() {
  socket.reset();
  // libzmq releases the port on its I/O thread, shortly after close.
  Status last;
  const auto end = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < end) {
    auto bound = BrokerSocket::Bind(context, options);
    if (bound.ok()) {
      socket = std::move(bound).value();
      return;
    }
    last = bound.status();
    zmq::socket_t idle(context, zmq::socket_type::pair);
    zmq::socket_t* sockets[] = {&idle};
    (void)PollReadable(sockets, std::chrono::milliseconds(5));
  }
  Fail(last);
}

AgentSocketOptions TestBroker::AgentOptions(const TestAgency& agency) const {
  AgentSocketOptions agent;
  agent.endpoint = options.endpoint;
  agent.broker_public_z85 = keys.public_z85;
  agent.public_z85 = agency.keys.public_z85;
  agent.secret_z85 = agency.keys.secret_z85;
  agent.max_message_bytes = 64 << 20;
  agent.reconnect_ivl_ms = 20;
  agent.reconnect_ivl_max_ms = 100;
  return agent;
}

std::unique_ptr<AgentSocket> TestBroker::ConnectAgent(
    const TestAgency& agency) {
  auto agent = AgentSocket::Connect(context, AgentOptions(agency));
  if (!agent.ok()) Fail(agent.status());
  return std::move(agent).value();
}

bool WaitReconnected(AgentSocket& agent, std::chrono::milliseconds deadline) {
  return WaitUntil([&] { return agent.TakeReconnected(); },
                   {&agent.monitor_socket()}, deadline);
}

std::optional<std::string> ReceiveOnAgent(AgentSocket& agent,
                                          std::chrono::milliseconds deadline) {
  std::optional<std::string> payload;
  WaitUntil(
      [&] {
        auto received = agent.TryReceive();
        if (received.ok() && received->has_value()) payload = **received;
        return payload.has_value();
      },
      {&agent.socket()}, deadline);
  return payload;
}

}  // namespace docbus::transport::testing
