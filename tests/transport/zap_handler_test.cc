#include "bus/transport/zap_handler.h"

#include <zmq.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <stdexcept>

#include "tests/transport/transport_fixture.h"

namespace docbus::transport {
namespace {

using testing::MakeAgency;
using testing::TestBroker;
using testing::WaitReconnected;
using testing::WaitUntil;

const std::string kG22 = "000.00.00.G22";

// The handshake events a server socket reports, read from its monitor.
class HandshakeWatch {
 public:
  HandshakeWatch(zmq::context_t& context, zmq::socket_t& watched)
      : events_(context, zmq::socket_type::pair) {
    const std::string endpoint =
        "inproc://docbus.test.watch." +
        std::to_string(reinterpret_cast<uintptr_t>(this));
    REQUIRE(zmq_socket_monitor(watched.handle(), endpoint.c_str(),
                               ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                                   ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                                   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                                   ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) == 0);
    events_.set(zmq::sockopt::linger, 0);
    events_.connect(endpoint);
  }
  void Drain() {
    zmq::message_t frame;
    while (events_.recv(frame, zmq::recv_flags::dontwait)) {
      uint16_t id = 0;
      std::memcpy(&id, frame.data(), sizeof id);
      if (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
        ++succeeded;
      } else {
        ++failed;
      }
      while (frame.more() && events_.recv(frame, zmq::recv_flags::dontwait)) {
      }
    }
  }
  zmq::socket_t& socket() { return events_; }
  int succeeded = 0;
  int failed = 0;

 private:
  zmq::socket_t events_;
};

TEST_CASE(
    "a CURVE key not in the registry cannot connect: its messages "
    "never arrive and the refusal is counted") {
  auto g22 = MakeAgency(kG22);
  auto stranger = MakeAgency(kG22);  // claims G22 but holds another key
  TestBroker broker({g22});

  auto rogue = broker.ConnectAgent(stranger);
  REQUIRE(WaitUntil(
      [&] { return rogue->auth_failures() > 0 && broker.zap->refused() > 0; },
      {&rogue->monitor_socket()}));
  CHECK_FALSE(rogue->connected());
  CHECK(rogue->Send("forged document") == SendResult::kWouldBlock);

  // The first message the broker ever sees is the enrolled agency's.
  auto honest = broker.ConnectAgent(g22);
  REQUIRE(WaitReconnected(*honest));
  REQUIRE(honest->Send("real document") == SendResult::kSent);
  auto inbound = broker.Receive();
  REQUIRE(inbound.has_value());
  CHECK(inbound->payload == "real document");
  CHECK(inbound->agency_id == kG22);
  CHECK(broker.zap->allowed() == 1);
}

TEST_CASE("without a ZAP handler every client is refused (enforced domain)") {
  auto g22 = MakeAgency(kG22);
  TestBroker broker({g22}, {}, /*with_zap=*/false);
  HandshakeWatch watch(broker.context, broker.socket->socket());

  auto agent = broker.ConnectAgent(g22);
  REQUIRE(WaitUntil(
      [&] {
        watch.Drain();
        return watch.failed > 0;
      },
      {&watch.socket()}));
  CHECK(watch.succeeded == 0);
  CHECK_FALSE(agent->connected());
  CHECK(agent->Send("document") == SendResult::kWouldBlock);
  auto none = broker.socket->TryReceive();
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
}

TEST_CASE(
    "a registry reload that revokes an agency refuses its next "
    "connection") {
  auto g22 = MakeAgency(kG22);
  TestBroker broker({g22});
  auto before = broker.ConnectAgent(g22);
  REQUIRE(WaitReconnected(*before));

  broker.zap->SetAuthenticator([](std::string_view, std::string_view) {
    return ZapDecision{false, "", "agency revoked"};
  });
  auto after = broker.ConnectAgent(g22);
  REQUIRE(WaitUntil([&] { return after->auth_failures() > 0; },
                    {&after->monitor_socket()}));
  CHECK_FALSE(after->connected());
  CHECK(broker.zap->refused() >= 1);
}

TEST_CASE(
    "an Authenticator that throws refuses the client and the handler "
    "keeps serving") {
  auto g22 = MakeAgency(kG22);
  TestBroker broker({g22});
  auto allow = testing::AllowOnly({g22});
  broker.zap->SetAuthenticator(
      [](std::string_view, std::string_view) -> ZapDecision {
        throw std::runtime_error("registry unavailable");
      });
  auto refused = broker.ConnectAgent(g22);
  REQUIRE(WaitUntil([&] { return broker.zap->refused() > 0; },
                    {&refused->monitor_socket()}));
  CHECK(broker.zap->running());

  broker.zap->SetAuthenticator(allow);
  auto agent = broker.ConnectAgent(g22);
  REQUIRE(WaitReconnected(*agent));
  REQUIRE(agent->Send("after recovery") == SendResult::kSent);
  auto inbound = broker.Receive();
  REQUIRE(inbound.has_value());
  CHECK(inbound->payload == "after recovery");
}

TEST_CASE(
    "a second ZAP handler in the same context is refused; a "
    "replacement starts once the first is gone") {
  zmq::context_t context;
  auto first = ZapHandler::Start(context, testing::AllowOnly({}));
  REQUIRE(first.ok());
  CHECK((*first)->running());
  auto second = ZapHandler::Start(context, testing::AllowOnly({}));
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == Code::kFailedPrecondition);

  first->reset();
  auto replacement = ZapHandler::Start(context, testing::AllowOnly({}));
  REQUIRE(replacement.ok());
  CHECK((*replacement)->running());
}

}  // namespace
}  // namespace docbus::transport
