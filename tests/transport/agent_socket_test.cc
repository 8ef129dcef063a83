#include "bus/transport/agent_socket.h"

#include <catch2/catch.hpp>

#include "tests/transport/transport_fixture.h"

namespace docbus::transport {
namespace {

using testing::MakeAgency;
using testing::ReceiveOnAgent;
using testing::TestBroker;
using testing::WaitReconnected;

const std::string kG22 = "000.00.00.G22";

TEST_CASE(
    "after the broker comes back on the same port the agent reports a "
    "reconnection once and its messages flow again") {
  auto g22 = MakeAgency(kG22);
  TestBroker broker({g22});
  auto agent = broker.ConnectAgent(g22);
  REQUIRE(WaitReconnected(*agent));
  CHECK_FALSE(agent->TakeReconnected());  // once per handshake

  REQUIRE(agent->Send("before restart") == SendResult::kSent);
  REQUIRE(broker.Receive().has_value());

  const std::string endpoint = broker.socket->endpoint();
  broker.Rebind();
  CHECK(broker.socket->endpoint() == endpoint);
  REQUIRE(WaitReconnected(*agent));
  CHECK(agent->connected());
  REQUIRE(agent->Send("after restart") == SendResult::kSent);
  auto inbound = broker.Receive();
  REQUIRE(inbound.has_value());
  CHECK(inbound->payload == "after restart");
  CHECK(inbound->agency_id == kG22);
}

TEST_CASE("an agent with no broker to talk to queues nothing") {
  auto g22 = MakeAgency(kG22);
  zmq::context_t context;
  auto broker_keys = GenerateCurveKeyPair();
  REQUIRE(broker_keys.ok());
  // A port nobody listens on: bind and close a socket to find one.
  std::string endpoint;
  {
    zmq::socket_t probe(context, zmq::socket_type::router);
    probe.set(zmq::sockopt::linger, 0);
    probe.bind("tcp://127.0.0.1:*");
    endpoint = probe.get(zmq::sockopt::last_endpoint);
  }
  AgentSocketOptions options;
  options.endpoint = endpoint;
  options.broker_public_z85 = broker_keys->public_z85;
  options.public_z85 = g22.keys.public_z85;
  options.secret_z85 = g22.keys.secret_z85;
  auto agent = AgentSocket::Connect(context, options);
  REQUIRE(agent.ok());
  CHECK_FALSE((*agent)->connected());
  CHECK((*agent)->Send("document") == SendResult::kWouldBlock);
  CHECK_FALSE((*agent)->TakeReconnected());
  auto none = (*agent)->TryReceive();
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
}

TEST_CASE("an agent refuses to start with a malformed key") {
  zmq::context_t context;
  AgentSocketOptions options;
  options.endpoint = "tcp://127.0.0.1:1";
  options.broker_public_z85 = "not a key";
  auto agent = AgentSocket::Connect(context, options);
  REQUIRE_FALSE(agent.ok());
  CHECK(agent.status().code() == Code::kInvalidArgument);

  BrokerSocketOptions broker_options;
  broker_options.endpoint = "tcp://127.0.0.1:*";
  broker_options.curve_secret_z85 = std::string(40, ' ');
  auto broker = BrokerSocket::Bind(context, broker_options);
  REQUIRE_FALSE(broker.ok());
  CHECK(broker.status().code() == Code::kInvalidArgument);
}

TEST_CASE("PollReadable tells which socket has a message, and times out") {
  zmq::context_t context;
  zmq::socket_t a_in(context, zmq::socket_type::pair);
  zmq::socket_t a_out(context, zmq::socket_type::pair);
  zmq::socket_t b_in(context, zmq::socket_type::pair);
  zmq::socket_t b_out(context, zmq::socket_type::pair);
  a_in.bind("inproc://poll-a");
  a_out.connect("inproc://poll-a");
  b_in.bind("inproc://poll-b");
  b_out.connect("inproc://poll-b");
  zmq::socket_t* sockets[] = {&a_in, &b_in};

  auto idle = PollReadable(sockets, std::chrono::milliseconds(1));
  REQUIRE(idle.ok());
  CHECK(*idle == std::vector<bool>{false, false});

  b_out.send(zmq::str_buffer("ready"));
  auto ready = PollReadable(sockets, std::chrono::milliseconds(10000));
  REQUIRE(ready.ok());
  CHECK(*ready == std::vector<bool>{false, true});
}

}  // namespace
}  // namespace docbus::transport
