// A send names a connection, not just a routing id: once a connection ends,
// nothing addressed to it reaches whoever presents its routing id next.
#include <catch2/catch.hpp>

#include "bus/transport/broker_socket.h"
#include "bus/transport/routing_id.h"
#include "tests/transport/transport_fixture.h"

namespace docbus::transport {
namespace {

using testing::MakeAgency;
using testing::ReceiveOnAgent;
using testing::TestAgency;
using testing::TestBroker;
using testing::WaitReconnected;
using testing::WaitUntil;

const std::string kG22 = "000.00.00.G22";
const std::string kH41 = "000.00.00.H41";

zmq::socket_t Dealer(TestBroker& broker, const TestAgency& agency,
                     const std::string& routing_id) {
  zmq::socket_t s(broker.context, zmq::socket_type::dealer);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::reconnect_ivl, 20);
  s.set(zmq::sockopt::routing_id, zmq::buffer(routing_id));
  s.set(zmq::sockopt::curve_serverkey, broker.keys.public_z85);
  s.set(zmq::sockopt::curve_publickey, agency.keys.public_z85);
  s.set(zmq::sockopt::curve_secretkey, agency.keys.secret_z85);
  s.connect(broker.socket->endpoint());
  return s;
}

TEST_CASE(
    "after a connection ends, a send to it is refused though another "
    "agency now presents its routing id") {
  auto g22 = MakeAgency(kG22);
  auto h41 = MakeAgency(kH41);
  TestBroker broker({g22, h41});
  const std::string routing_id = NewRoutingId();

  std::optional<BrokerSocket::Inbound> from_h41;
  {
    zmq::socket_t first = Dealer(broker, h41, routing_id);
    first.send(zmq::str_buffer("hello"));
    from_h41 = broker.Receive();
    REQUIRE(from_h41.has_value());
    CHECK(from_h41->agency_id == kH41);
    CHECK(from_h41->peer.routing_id == routing_id);
    CHECK(broker.socket->IsOpen(from_h41->peer.connection));
  }
  // G22 connects under H41's routing id; it speaks once, so the test knows
  // it holds the id at the broker.
  // A connection refused for a routing id in use is known later under its
  // first frame instead, so G22 connects afresh until its first frame comes.
  zmq::socket_t other;
  std::optional<BrokerSocket::Inbound> from_g22;
  for (int i = 0; i < 20 && !from_g22; ++i) {
    other = Dealer(broker, g22, routing_id);
    other.send(zmq::str_buffer("mine"));
    from_g22 = broker.Receive(std::chrono::milliseconds(500));
  }
  REQUIRE(from_g22.has_value());
  CHECK(from_g22->agency_id == kG22);
  CHECK(from_g22->peer.routing_id == routing_id);
  CHECK(from_g22->peer.connection != from_h41->peer.connection);

  broker.socket->Refresh();
  CHECK_FALSE(broker.socket->IsOpen(from_h41->peer.connection));
  CHECK(broker.socket->Send(from_h41->peer, "for H41") ==
        SendResult::kUnreachable);
  REQUIRE(broker.socket->Send(from_g22->peer, "for G22") == SendResult::kSent);
  zmq::message_t got;
  REQUIRE(WaitUntil(
      [&] { return other.recv(got, zmq::recv_flags::dontwait).has_value(); },
      {&other}));
  CHECK(got.to_string() == "for G22");  // and nothing before it
}

TEST_CASE("each connection of an agent presents a routing id of its own") {
  auto g22 = MakeAgency(kG22);
  TestBroker broker({g22});
  auto agent = broker.ConnectAgent(g22);
  REQUIRE(WaitReconnected(*agent));
  REQUIRE(agent->Send("first") == SendResult::kSent);
  auto first = broker.Receive();
  REQUIRE(first.has_value());
  CHECK(IsAgentRoutingId(first->peer.routing_id));

  broker.Rebind();  // the connection ends; the agent reconnects by itself
  REQUIRE(WaitReconnected(*agent));
  REQUIRE(agent->Send("second") == SendResult::kSent);
  auto second = broker.Receive();
  REQUIRE(second.has_value());
  CHECK(second->payload == "second");
  CHECK(IsAgentRoutingId(second->peer.routing_id));
  CHECK(second->peer.routing_id != first->peer.routing_id);
}

TEST_CASE(
    "a message of several payload frames is reported, without its "
    "payload, as its sender's") {
  auto g22 = MakeAgency(kG22);
  TestBroker broker({g22});
  zmq::socket_t s = Dealer(broker, g22, NewRoutingId());
  s.send(zmq::str_buffer("a"), zmq::send_flags::sndmore);
  s.send(zmq::str_buffer("b"), zmq::send_flags::sndmore);
  s.send(zmq::str_buffer("c"));
  auto inbound = broker.Receive();
  REQUIRE(inbound.has_value());
  CHECK(inbound->parts == 3);
  CHECK(inbound->payload.empty());
  CHECK(inbound->agency_id == kG22);
  s.send(zmq::str_buffer("single"));
  auto next = broker.Receive();
  REQUIRE(next.has_value());
  CHECK(next->parts == 1);
  CHECK(next->payload == "single");
}

TEST_CASE("agent routing ids are 16 random bytes, never ZeroMQ's own form") {
  const std::string a = NewRoutingId();
  const std::string b = NewRoutingId();
  CHECK(a.size() == kRoutingIdBytes);
  CHECK(a != b);
  CHECK(IsAgentRoutingId(a));
  CHECK_FALSE(IsAgentRoutingId(std::string("\0\x12\x34\x56\x78", 5)));
  CHECK_FALSE(IsAgentRoutingId("000.00.00.H41"));
  CHECK_FALSE(IsAgentRoutingId(std::string(16, '\0')));
  CHECK_FALSE(IsAgentRoutingId(a + "x"));
}

}  // namespace
}  // namespace docbus::transport
