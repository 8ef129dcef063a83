// Test fixture for the transport tests: a broker side (context, ZAP handler
// with an allow list, CURVE ROUTER on tcp://127.0.0.1:*), agencies with fresh
// CURVE keys, and waits driven by socket events with deadlines (no sleeps).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/transport/agent_socket.h"
#include "bus/transport/broker_socket.h"
#include "bus/transport/curve_keys.h"
#include "bus/transport/poll.h"
#include "bus/transport/zap_handler.h"

namespace docbus::transport::testing {

inline constexpr std::chrono::seconds kDeadline{10};

struct TestAgency {
  std::string id;
  CurveKeyPair keys;
};

// Fresh CURVE keys for `id`; aborts the test run if libzmq cannot make keys.
TestAgency MakeAgency(std::string id);

// An authenticator that allows exactly these agencies' keys.
Authenticator AllowOnly(const std::vector<TestAgency>& agencies);

// Polls `sockets` until `done()` holds or the deadline passes.
bool WaitUntil(const std::function<bool()>& done,
               std::vector<zmq::socket_t*> sockets,
               std::chrono::milliseconds deadline = kDeadline);

class TestBroker {
 public:
  // Starts a ZAP handler allowing `agencies` (unless `with_zap` is false)
  // and binds the broker socket, with fresh CURVE keys or `shared_keys` (the
  // brokers of one axis share theirs).
  explicit TestBroker(const std::vector<TestAgency>& agencies,
                      BrokerSocketOptions options = {}, bool with_zap = true,
                      const CurveKeyPair* shared_keys = nullptr);

  // Next message within the deadline, or nullopt.
  std::optional<BrokerSocket::Inbound> Receive(
      std::chrono::milliseconds deadline = kDeadline);

  // Closes the broker socket and binds a new one on the same endpoint.
  void Rebind();

  AgentSocketOptions AgentOptions(const TestAgency& agency) const;
  std::unique_ptr<AgentSocket> ConnectAgent(const TestAgency& agency);

  zmq::context_t context;
  CurveKeyPair keys;
  BrokerSocketOptions options;
  std::unique_ptr<ZapHandler> zap;
  std::unique_ptr<BrokerSocket> socket;
};

// Waits for an agent's first (or next) successful handshake.
bool WaitReconnected(AgentSocket& agent,
                     std::chrono::milliseconds deadline = kDeadline);

// Next payload for an agent within the deadline, or nullopt.
std::optional<std::string> ReceiveOnAgent(
    AgentSocket& agent, std::chrono::milliseconds deadline = kDeadline);

}  // namespace docbus::transport::testing
