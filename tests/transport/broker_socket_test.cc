#include "bus/transport/broker_socket.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "tests/transport/transport_fixture.h"

namespace docbus::transport {
namespace {

using testing::MakeAgency;
using testing::ReceiveOnAgent;
using testing::TestBroker;
using testing::WaitReconnected;

const std::string kG22 = "000.00.00.G22";
const std::string kH41 = "000.00.00.H41";

TEST_CASE(
    "an enrolled agency exchanges byte-identical payloads both ways, "
    "known by the agency of its CURVE key") {
  auto g22 = MakeAgency(kG22);
  TestBroker broker({g22});
  CHECK(broker.socket->endpoint().rfind("tcp://127.0.0.1:", 0) == 0);
  CHECK(broker.socket->endpoint().find('*') == std::string::npos);

  auto agent = broker.ConnectAgent(g22);
  REQUIRE(WaitReconnected(*agent));
  CHECK(agent->connected());

  const std::string upward("document\0with\xff binary", 22);
  REQUIRE(agent->Send(upward) == SendResult::kSent);
  auto inbound = broker.Receive();
  REQUIRE(inbound.has_value());
  CHECK(inbound->payload == upward);
  CHECK(inbound->agency_id == kG22);  // from the ZAP User-Id
  CHECK(broker.zap->allowed() == 1);

  const std::string downward(100000, '\x01');
  REQUIRE(broker.socket->Send(inbound->peer, downward) == SendResult::kSent);
  auto received = ReceiveOnAgent(*agent);
  REQUIRE(received.has_value());
  CHECK(*received == downward);
}

TEST_CASE(
    "a client claiming another agency's routing id still arrives as "
    "its own agency and cannot receive that agency's messages") {
  auto g22 = MakeAgency(kG22);
  auto h41 = MakeAgency(kH41);
  TestBroker broker({g22, h41});

  auto honest = broker.ConnectAgent(g22);
  REQUIRE(WaitReconnected(*honest));
  REQUIRE(honest->Send("hello from G22") == SendResult::kSent);
  auto from_g22 = broker.Receive();
  REQUIRE(from_g22.has_value());
  CHECK(from_g22->agency_id == kG22);

  // H41 connects with a raw DEALER that claims G22's id as its routing id.
  zmq::socket_t impostor(broker.context, zmq::socket_type::dealer);
  impostor.set(zmq::sockopt::linger, 0);
  impostor.set(zmq::sockopt::routing_id, kG22);
  impostor.set(zmq::sockopt::curve_serverkey, broker.keys.public_z85);
  impostor.set(zmq::sockopt::curve_publickey, h41.keys.public_z85);
  impostor.set(zmq::sockopt::curve_secretkey, h41.keys.secret_z85);
  impostor.connect(broker.socket->endpoint());
  impostor.send(zmq::str_buffer("I am G22"));

  auto from_impostor = broker.Receive();
  REQUIRE(from_impostor.has_value());
  CHECK(from_impostor->payload == "I am G22");
  CHECK(from_impostor->agency_id == kH41);
  CHECK(from_impostor->peer.routing_id != from_g22->peer.routing_id);

  // What the broker sends to G22's connection reaches G22 only.
  REQUIRE(broker.socket->Send(from_g22->peer, "for G22") == SendResult::kSent);
  REQUIRE(broker.socket->Send(from_impostor->peer, "for H41") ==
          SendResult::kSent);
  CHECK(ReceiveOnAgent(*honest) == std::optional<std::string>("for G22"));
  zmq::message_t first;
  zmq::pollitem_t item{impostor.handle(), 0, ZMQ_POLLIN, 0};
  REQUIRE(zmq::poll(&item, 1, std::chrono::milliseconds(10000)) == 1);
  REQUIRE(impostor.recv(first, zmq::recv_flags::dontwait));
  CHECK(first.to_string() == "for H41");
  CHECK_FALSE(impostor.recv(first, zmq::recv_flags::dontwait));
}

TEST_CASE(
    "a message over max_message_bytes drops its connection and never "
    "arrives") {
  auto g22 = MakeAgency(kG22);
  BrokerSocketOptions options;
  options.max_message_bytes = 4096;
  TestBroker broker({g22}, options);
  auto agent = broker.ConnectAgent(g22);
  REQUIRE(WaitReconnected(*agent));

  REQUIRE(agent->Send(std::string(64 * 1024, 'x')) == SendResult::kSent);
  // The broker hangs up; the agent reconnects by itself.
  REQUIRE(WaitReconnected(*agent));
  REQUIRE(agent->Send("small") == SendResult::kSent);
  auto inbound = broker.Receive();
  REQUIRE(inbound.has_value());
  CHECK(inbound->payload == "small");
  auto none = broker.socket->TryReceive();
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
}

TEST_CASE(
    "sending to an unknown connection is unreachable; to a peer that "
    "does not read it eventually would block, without blocking") {
  auto g22 = MakeAgency(kG22);
  BrokerSocketOptions options;
  options.sndhwm = 1;
  TestBroker broker({g22}, options);

  CHECK(broker.socket->Send(Peer{"nobody", kNoConnection}, "x") ==
        SendResult::kUnreachable);
  CHECK(broker.socket->Send(
            Peer{std::string("\0\x12\x34\x56\x78", 5), kNoConnection}, "x") ==
        SendResult::kUnreachable);

  // A peer that says hello and then never reads.
  zmq::socket_t idle(broker.context, zmq::socket_type::dealer);
  idle.set(zmq::sockopt::linger, 0);
  idle.set(zmq::sockopt::rcvhwm, 1);
  idle.set(zmq::sockopt::rcvbuf, 64 * 1024);
  idle.set(zmq::sockopt::curve_serverkey, broker.keys.public_z85);
  idle.set(zmq::sockopt::curve_publickey, g22.keys.public_z85);
  idle.set(zmq::sockopt::curve_secretkey, g22.keys.secret_z85);
  idle.connect(broker.socket->endpoint());
  idle.send(zmq::str_buffer("hello"));
  auto hello = broker.Receive();
  REQUIRE(hello.has_value());

  const std::string chunk(64 * 1024, 'd');
  const auto start = std::chrono::steady_clock::now();
  auto slowest = std::chrono::steady_clock::duration::zero();
  SendResult result = SendResult::kSent;
  int sent = 0;
  while (sent < 100000) {
    const auto before = std::chrono::steady_clock::now();
    result = broker.socket->Send(hello->peer, chunk);
    slowest = std::max(slowest, std::chrono::steady_clock::now() - before);
    if (result != SendResult::kSent) break;
    ++sent;
  }
  CHECK(result == SendResult::kWouldBlock);
  CHECK(sent > 0);
  CHECK(slowest < std::chrono::milliseconds(500));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

}  // namespace
}  // namespace docbus::transport
