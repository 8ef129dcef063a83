// Revocation without a restart: after `docbus pki revoke`, a SIGHUP makes
// the broker read the registry and the CRL again. The revoked agency is
// refused on the connection it already has and cannot open a new one; a
// registry that does not load changes nothing, not even the CRL beside it.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <optional>
#include <thread>

#include "certs/authority.h"
#include "tests/broker/broker_fixture.h"

namespace docbus::broker::test {
namespace {

namespace fs = std::filesystem;

// A broker over a copy of the test PKI, whose registry and CRL a test may
// change (the process-wide one is shared by every test).
struct ReloadableBroker {
  ReloadableBroker() {
    fs::copy(TestPki().dir(), pki.dir(), fs::copy_options::recursive);
    BrokerOptions o = TestOptions(dir.path() / "data");
    o.registry = pki.registry();
    o.crl = pki.crl();
    b.emplace(o);
  }
  Broker& broker() { return b->broker(); }
  std::string endpoint() { return b->broker().zmq_endpoint(); }
  // Asks for a reload and waits until the broker has tried it.
  void Reload(const std::string& result) {
    const auto value = [&] {
      return broker().metrics().Value("docbus_broker_pki_reloads_total",
                                      "result=\"" + result + "\"");
    };
    const double before = value();
    broker().RequestReload();
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (value() == before && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(value() == before + 1);
  }
  double Accepted() {
    return broker().metrics().Value("docbus_broker_accepted_total");
  }

  TempDir dir;
  pki::PkiPaths pki{dir.path() / "pki"};
  std::optional<TestBroker> b;
};

TEST_CASE(
    "an agency revoked and reloaded is refused on its open connection "
    "and cannot connect again",
    "[broker][reload]") {
  ReloadableBroker r;
  TestAgent g22(kG22, r.endpoint());
  g22.Open();
  TestAgent h41(kH41, r.endpoint());
  h41.Open();
  REQUIRE(g22.Submit(MakeSubmit(kG22, {kH41})).has_accepted());
  const double accepted = r.Accepted();

  REQUIRE(pki::Revoke(r.pki.dir(), kG22).ok());
  r.Reload("ok");

  v1::Frame frame;
  *frame.mutable_submit() = MakeSubmit(kG22, {kH41});
  g22.Send(frame);
  const v1::Frame error = g22.Expect(v1::Frame::kError);
  CHECK(error.error().reason() == v1::REASON_AGENCY_REVOKED);
  CHECK(r.Accepted() == accepted);  // nothing stored
  CHECK_FALSE(HandshakeAccepted(r.endpoint(), kG22));
  // Everyone else goes on as before.
  CHECK(h41.Submit(MakeSubmit(kH41, {kH29})).has_accepted());
  CHECK(HandshakeAccepted(r.endpoint(), kH29));
}

TEST_CASE(
    "documents queued for an agency are not delivered to it once it is "
    "revoked, whatever it sends on its open connection",
    "[broker][reload]") {
  ReloadableBroker r;
  TestAgent g22(kG22, r.endpoint());
  g22.Open();
  TestAgent h41(kH41, r.endpoint());
  h41.Open(/*credit_count=*/0);  // connected, taking nothing yet
  REQUIRE(g22.Submit(MakeSubmit(kG22, {kH41})).has_accepted());

  REQUIRE(pki::Revoke(r.pki.dir(), kH41).ok());
  r.Reload("ok");

  // Credit, then a new Hello, on the connection it had before: each is
  // refused, and the document queued for it stays where it is.
  v1::Frame credit;
  credit.mutable_credit()->set_count(10);
  h41.Send(credit);
  v1::Frame hello;
  hello.mutable_hello()->set_protocol_version(1);
  hello.mutable_hello()->set_credit_count(10);
  h41.Send(hello);
  int refused = 0;
  while (std::optional<v1::Frame> f = h41.Receive(std::chrono::seconds(1))) {
    CHECK_FALSE(f->has_deliver());
    if (f->has_error() &&
        f->error().reason() == v1::REASON_AGENCY_REVOKED) {
      ++refused;
    }
  }
  CHECK(refused == 2);
  CHECK(r.broker().metrics().Value("docbus_broker_deliveries_sent_total") == 0);
}

TEST_CASE("a registry that does not load changes nothing, not even the CRL",
          "[broker][reload]") {
  ReloadableBroker r;
  TestAgent g22(kG22, r.endpoint());
  g22.Open();
  // The CRL now lists G22's certificate, but the registry beside it is
  // broken: the reload must take neither.
  REQUIRE(pki::Revoke(r.pki.dir(), kG22).ok());
  std::ofstream(r.pki.registry(), std::ios::trunc) << "[[agency]\nid = ";
  r.Reload("failed");
  CHECK(g22.Submit(MakeSubmit(kG22, {kH41})).has_accepted());
  CHECK(HandshakeAccepted(r.endpoint(), kG22));
}

}  // namespace
}  // namespace docbus::broker::test
