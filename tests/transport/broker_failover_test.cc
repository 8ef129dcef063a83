// An agent given the brokers of one axis talks to whichever one listens, and
// moves to another when its broker goes away.
#include <catch2/catch.hpp>

#include "tests/transport/transport_fixture.h"

namespace docbus::transport {
namespace {

using testing::MakeAgency;
using testing::TestBroker;
using testing::WaitReconnected;

const std::string kG22 = "000.00.00.G22";

// An endpoint nobody listens on (a standby broker does not listen).
std::string DeadEndpoint(zmq::context_t& context) {
  zmq::socket_t probe(context, zmq::socket_type::router);
  probe.set(zmq::sockopt::linger, 0);
  probe.bind("tcp://127.0.0.1:*");
  return probe.get(zmq::sockopt::last_endpoint);
}

TEST_CASE("an agent whose first broker does not listen connects to the next") {
  auto g22 = MakeAgency(kG22);
  TestBroker active({g22});
  AgentSocketOptions options = active.AgentOptions(g22);
  options.endpoint = DeadEndpoint(active.context) + "," + options.endpoint;
  auto agent = AgentSocket::Connect(active.context, options);
  REQUIRE(agent.ok());
  REQUIRE(WaitReconnected(**agent));
  CHECK((*agent)->current_endpoint() == active.options.endpoint);
  REQUIRE((*agent)->Send("to the active one") == SendResult::kSent);
  auto got = active.Receive();
  REQUIRE(got.has_value());
  CHECK(got->payload == "to the active one");
}

TEST_CASE(
    "when its broker goes away, an agent moves to the other broker of "
    "the axis and is known there by a new routing id") {
  auto g22 = MakeAgency(kG22);
  auto first = std::make_unique<TestBroker>(std::vector{g22});
  TestBroker second({g22}, BrokerSocketOptions{}, true, &first->keys);
  AgentSocketOptions options = first->AgentOptions(g22);
  options.endpoint = first->options.endpoint + "," + second.options.endpoint;
  auto agent = AgentSocket::Connect(second.context, options);
  REQUIRE(agent.ok());
  REQUIRE(WaitReconnected(**agent));
  REQUIRE((*agent)->Send("one") == SendResult::kSent);
  auto at_first = first->Receive();
  REQUIRE(at_first.has_value());

  first.reset();  // the active broker dies; its port stops answering
  REQUIRE(WaitReconnected(**agent));
  CHECK((*agent)->current_endpoint() == second.options.endpoint);
  REQUIRE((*agent)->Send("two") == SendResult::kSent);
  auto at_second = second.Receive();
  REQUIRE(at_second.has_value());
  CHECK(at_second->payload == "two");
  CHECK(at_second->peer.routing_id != at_first->peer.routing_id);
}

TEST_CASE("an endpoint list with an empty entry is refused at start") {
  auto g22 = MakeAgency(kG22);
  zmq::context_t context;
  AgentSocketOptions options;
  options.endpoint = "tcp://127.0.0.1:7100,,tcp://127.0.0.1:7101";
  options.broker_public_z85 = g22.keys.public_z85;
  options.public_z85 = g22.keys.public_z85;
  options.secret_z85 = g22.keys.secret_z85;
  auto agent = AgentSocket::Connect(context, options);
  REQUIRE_FALSE(agent.ok());
  CHECK(agent.status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace docbus::transport
