// Who gets a frame: deliveries and answers reach only a connection
// authenticated as their agency, whatever routing ids peers present and in
// whatever order connections come and go (bus/transport/README.md).
//
// The intruder here is H29, a registered agency with its own keys, that is
// handed H41's routing id (the worst case: an id agents never disclose). It
// sends nothing but Pings, which only prove that it holds the id at the
// broker; everything it receives must be an answer to its own frames.
#include <catch2/catch.hpp>
#include <set>

#include "bus/transport/curve_keys.h"
#include "bus/transport/poll.h"
#include "bus/transport/routing_id.h"
#include "tests/broker/broker_fixture.h"

namespace docbus::broker::test {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// A DEALER with `agency`'s CURVE keys presenting a routing id the test
// chooses (an AgentSocket always draws its own).
class RawConnection {
 public:
  RawConnection(const std::string& agency, const std::string& endpoint,
                const std::string& routing_id)
      : socket_(context_, zmq::socket_type::dealer) {
    const pki::PkiPaths& pki = TestPki();
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::reconnect_ivl, 20);
    if (!routing_id.empty()) {
      socket_.set(zmq::sockopt::routing_id, zmq::buffer(routing_id));
    }
    socket_.set(zmq::sockopt::curve_serverkey,
                *transport::ReadKeyFile(pki.broker_curve_public()));
    socket_.set(zmq::sockopt::curve_publickey,
                *transport::ReadKeyFile(pki.agency_curve_public(agency)));
    socket_.set(zmq::sockopt::curve_secretkey,
                *transport::ReadKeyFile(pki.agency_curve_secret(agency)));
    socket_.connect(endpoint);
  }

  void Send(const v1::Frame& frame) {
    const std::string bytes = frame.SerializeAsString();
    REQUIRE(socket_.send(zmq::buffer(bytes), zmq::send_flags::none));
  }

  std::optional<v1::Frame> Receive(milliseconds timeout) {
    zmq::socket_t* sockets[] = {&socket_};
    auto readable = transport::PollReadable(sockets, timeout);
    REQUIRE(readable.ok());
    if (!(*readable)[0]) return std::nullopt;
    zmq::message_t message;
    if (!socket_.recv(message, zmq::recv_flags::dontwait)) return std::nullopt;
    v1::Frame frame;
    REQUIRE(
        frame.ParseFromArray(message.data(), static_cast<int>(message.size())));
    received.push_back(frame);
    return frame;
  }

  // Sends a Ping and waits for its answer: a Pong, or "hello first" without
  // a session. Frames before it are kept in `received`. A connection whose
  // first frame is answered holds its routing id at the broker: the ROUTER
  // takes the first frame of a connection refused for a routing id in use
  // as its routing id once that id is free, so it never answers it.
  bool Answered(milliseconds timeout = milliseconds(10000)) {
    v1::Frame ping;
    ping.mutable_ping()->set_nonce(++nonce_);
    Send(ping);
    const auto until = SteadyClock::now() + timeout;
    while (SteadyClock::now() < until) {
      auto frame = Receive(milliseconds(50));
      if (!frame) continue;
      if (frame->has_pong() && frame->pong().nonce() == nonce_) return true;
      if (frame->has_error()) return true;
    }
    return false;
  }

  bool OpenSession(uint32_t credit = 100) {
    v1::Frame hello;
    hello.mutable_hello()->set_protocol_version(1);
    hello.mutable_hello()->set_credit_count(credit);
    Send(hello);
    const auto until = SteadyClock::now() + milliseconds(10000);
    while (SteadyClock::now() < until) {
      auto frame = Receive(milliseconds(50));
      if (frame && frame->has_welcome()) return true;
      if (frame && frame->has_error()) return false;
    }
    return false;
  }

  // Receives until `count` Deliver frames have come (acknowledging none) or
  // the deadline passes; returns the message ids delivered.
  std::set<std::string> Deliveries(size_t count) {
    const auto until = SteadyClock::now() + milliseconds(10000);
    while (DeliveredIds().size() < count && SteadyClock::now() < until) {
      Receive(milliseconds(50));
    }
    return DeliveredIds();
  }

  std::set<std::string> DeliveredIds() const {
    std::set<std::string> ids;
    for (const v1::Frame& f : received) {
      if (!f.has_deliver() || !f.deliver().has_document()) continue;
      v1::DocumentHeader header;
      header.ParseFromString(f.deliver().document().document().header());
      ids.insert(header.message_id());
    }
    return ids;
  }

  // Every frame this connection got that is not an answer to its own Ping
  // or to a frame of its own ("hello first").
  std::vector<v1::Frame> Unrequested() const {
    std::vector<v1::Frame> out;
    for (const v1::Frame& f : received) {
      if (f.has_pong() || f.has_error()) continue;
      out.push_back(f);
    }
    return out;
  }

  std::vector<v1::Frame> received;

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_;
  uint64_t nonce_ = 0;
};

// A connection of `agency` that holds `routing_id` at the broker: connects
// until one is answered at its first frame.
std::unique_ptr<RawConnection> Claim(const std::string& agency,
                                     const std::string& endpoint,
                                     const std::string& routing_id) {
  const auto until = SteadyClock::now() + milliseconds(10000);
  while (SteadyClock::now() < until) {
    auto c = std::make_unique<RawConnection>(agency, endpoint, routing_id);
    if (c->Answered(milliseconds(500))) return c;
  }
  FAIL("no connection could take the routing id");
  return nullptr;
}

std::string MessageIdOf(const v1::Submit& submit) {
  v1::DocumentHeader header;
  header.ParseFromString(submit.document().header());
  return header.message_id();
}

// Submits `count` documents from G22 to H41; their message ids.
std::set<std::string> SendToH41(TestAgent& g22, int count) {
  std::set<std::string> ids;
  for (int i = 0; i < count; ++i) {
    const v1::Submit submit = MakeSubmit(kG22, {kH41}, {"attachment"});
    REQUIRE(g22.Submit(submit).has_accepted());
    ids.insert(MessageIdOf(submit));
  }
  return ids;
}

TEST_CASE_METHOD(BrokerWithG22,
                 "while H41 is connected, a connection under its routing id "
                 "is refused and receives nothing",
                 "[broker][routing]") {
  const std::string h41_id = transport::NewRoutingId();
  RawConnection h41(kH41, b.broker().zmq_endpoint(), h41_id);
  REQUIRE(h41.OpenSession());
  RawConnection intruder(kH29, b.broker().zmq_endpoint(), h41_id);

  const std::set<std::string> sent = SendToH41(g22, 5);
  CHECK(h41.Deliveries(sent.size()) == sent);
  // The intruder never got in under that id: its first frame is not
  // answered, and nothing of H41's reaches it.
  CHECK_FALSE(intruder.Answered(milliseconds(1500)));
  CHECK(intruder.received.empty());
}

TEST_CASE_METHOD(BrokerWithG22,
                 "after H41 leaves, another agency presenting its routing id "
                 "gets none of H41's documents; H41 gets them all when back",
                 "[broker][routing]") {
  const std::string h41_id = transport::NewRoutingId();
  std::set<std::string> sent;
  {
    RawConnection h41(kH41, b.broker().zmq_endpoint(), h41_id);
    REQUIRE(h41.OpenSession());
    sent = SendToH41(g22, 3);
    CHECK(h41.Deliveries(sent.size()) == sent);  // never acknowledged
  }
  // H41's connection is gone; the intruder takes its routing id at once.
  auto claimed = Claim(kH29, b.broker().zmq_endpoint(), h41_id);
  RawConnection& intruder = *claimed;
  for (const std::string& id : SendToH41(g22, 10)) sent.insert(id);
  // Its answer comes in a turn after every delivery attempt of the
  // submissions' turns, so anything sent to its routing id came before it.
  REQUIRE(intruder.Answered());
  CHECK(intruder.Unrequested().empty());
  CHECK(intruder.DeliveredIds().empty());

  SECTION(
      "H41 reconnects under a new routing id while the intruder holds "
      "the old one") {
    RawConnection h41(kH41, b.broker().zmq_endpoint(),
                      transport::NewRoutingId());
    REQUIRE(h41.OpenSession());
    CHECK(h41.Deliveries(sent.size()) == sent);
  }
  SECTION("the intruder says Hello: it has a session as H29, not as H41") {
    REQUIRE(intruder.OpenSession());
    REQUIRE(intruder.Answered());
    CHECK(intruder.DeliveredIds().empty());
    const v1::Frame* welcome = nullptr;
    for (const v1::Frame& f : intruder.received) {
      if (f.has_welcome()) welcome = &f;
    }
    REQUIRE(welcome != nullptr);
    CHECK(welcome->welcome().agency_id() == kH29);
  }
  REQUIRE(intruder.Answered());
  CHECK(intruder.DeliveredIds().empty());
}

TEST_CASE(
    "after a broker restart, a routing id that was H41's carries "
    "nothing of H41's to another agency",
    "[broker][routing]") {
  TempDir dir;
  const std::string h41_id = transport::NewRoutingId();
  std::set<std::string> sent;
  {
    TestBroker b(TestOptions(dir.path()));
    TestAgent g22(kG22, b.broker().zmq_endpoint());
    g22.Open();
    RawConnection h41(kH41, b.broker().zmq_endpoint(), h41_id);
    REQUIRE(h41.OpenSession());
    sent = SendToH41(g22, 4);
    CHECK(h41.Deliveries(sent.size()) == sent);
  }
  TestBroker b(TestOptions(dir.path()));
  auto claimed = Claim(kH29, b.broker().zmq_endpoint(), h41_id);
  RawConnection& intruder = *claimed;
  TestAgent g22(kG22, b.broker().zmq_endpoint());
  g22.Open();
  for (const std::string& id : SendToH41(g22, 4)) sent.insert(id);
  REQUIRE(intruder.Answered());
  CHECK(intruder.Unrequested().empty());

  RawConnection h41(kH41, b.broker().zmq_endpoint(), transport::NewRoutingId());
  REQUIRE(h41.OpenSession());
  CHECK(h41.Deliveries(sent.size()) == sent);
  REQUIRE(intruder.Answered());
  CHECK(intruder.DeliveredIds().empty());
}

TEST_CASE_METHOD(BrokerWithG22,
                 "a Hello under a routing id another agency could know or "
                 "guess opens no session",
                 "[broker][routing]") {
  // ZeroMQ's own ids (none set), and an agency id chosen as routing id.
  for (const std::string& routing_id :
       {std::string(), kH41, std::string("\0\x01\x02\x03\x04", 5),
        transport::NewRoutingId().substr(1)}) {
    RawConnection h41(kH41, b.broker().zmq_endpoint(), routing_id);
    CHECK_FALSE(h41.OpenSession());
    REQUIRE(!h41.received.empty());
    CHECK(h41.received.back().error().reason() == v1::REASON_INVALID_FIELD);
  }
  // No session was opened: a document for H41 stays queued.
  const std::set<std::string> sent = SendToH41(g22, 1);
  RawConnection h41(kH41, b.broker().zmq_endpoint(), transport::NewRoutingId());
  REQUIRE(h41.OpenSession());
  CHECK(h41.Deliveries(1) == sent);
}

TEST_CASE_METHOD(BrokerWithG22,
                 "a message of several frames is answered MALFORMED and "
                 "changes nothing",
                 "[broker][routing]") {
  zmq::socket_t& s = g22.socket();
  REQUIRE(s.send(zmq::str_buffer("one"), zmq::send_flags::sndmore));
  REQUIRE(s.send(zmq::str_buffer("two"), zmq::send_flags::none));
  const v1::Frame error = g22.Expect(v1::Frame::kError);
  CHECK(error.error().reason() == v1::REASON_MALFORMED);
  CHECK(error.error().detail().find("2") != std::string::npos);
  // The session is still open.
  const v1::Submit submit = MakeSubmit(kG22, {kH41});
  CHECK(g22.Submit(submit).has_accepted());
}

}  // namespace
}  // namespace docbus::broker::test
