// Hidden benchmarks of the agent core alone against the fake broker (run
// with `agents_test "[.bench]"`): documents/s it submits and gets answered
// (with receipts), and documents/s it receives and acknowledges with signed
// receipts. They print figures and never assert timings.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "agent_test_support.h"
#include "agents/agent_metrics.h"
#include "bus/core/clock.h"
#include "bus/crypto/trust_store.h"
#include "bus/crypto/verifier.h"
#include "bus/registry/agency_registry.h"

namespace docbus::agent {
namespace {

using testing::kAgencyA;
using testing::kAgencyB;
using SteadyClock = std::chrono::steady_clock;

constexpr int kDocuments = 5000;

double Seconds(SteadyClock::time_point since) {
  return std::chrono::duration<double>(SteadyClock::now() - since).count();
}

TEST_CASE("bench: documents submitted, accepted and receipted per second",
          "[.bench]") {
  testing::AgentWithBroker f;
  auto b = f.pki.SignerFor(kAgencyB);

  const auto start = SteadyClock::now();
  std::atomic<int> next{0};
  std::atomic<int> refused{0};  // Catch's assertions are not thread-safe
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&] {
      while (next.fetch_add(1) < kDocuments) {
        DocumentRequest r;
        r.header.add_to()->set_organ_id(kAgencyB);
        r.header.set_subject("Benchmark");
        r.header.mutable_code()->set_code_number("1");
        r.header.mutable_code()->set_code_notation("BM");
        r.attachments.push_back({"a.bin", "", std::string(1024, 'x')});
        if (!f.agent->Submit(std::move(r)).ok()) ++refused;
      }
    });
  }
  uint64_t delivery_id = 1;
  for (int i = 0; i < kDocuments; ++i) {
    auto submit = f.broker.Next(v1::Frame::kSubmit);
    REQUIRE(submit.has_value());
    v1::DocumentHeader header;
    const std::string& header_bytes =
        submit->frame.submit().document().header();
    REQUIRE(header.ParseFromString(header_bytes));
    v1::Frame accepted;
    accepted.mutable_accepted()->set_message_id(header.message_id());
    accepted.mutable_accepted()->set_audit_index(static_cast<uint64_t>(i));
    f.broker.Send(f.routing, accepted);
    v1::Frame receipt;
    receipt.mutable_deliver()->set_delivery_id(delivery_id++);
    *receipt.mutable_deliver()->mutable_receipt() =
        testing::MakeReceipt(*b, kAgencyB, header, header_bytes);
    f.broker.Send(f.routing, receipt);
  }
  for (std::thread& t : callers) t.join();
  REQUIRE(refused == 0);
  f.broker.Barrier(f.routing);
  const double seconds = Seconds(start);
  CHECK(f.agent->metrics().Value(metric::kAccepted) == kDocuments);
  CHECK(f.agent->metrics().Value(metric::kReceiptsReceived) == kDocuments);
  std::printf(
      "agent sending: %d documents (1 KiB attachment) submitted, accepted and "
      "receipted in %.2f s = %.0f documents/s (fake broker signs receipts "
      "inline)\n",
      kDocuments, seconds, kDocuments / seconds);
}

TEST_CASE(
    "bench: documents received and acknowledged with signed receipts per "
    "second",
    "[.bench]") {
  testing::AgentWithBroker f;
  auto b = f.pki.SignerFor(kAgencyB);
  std::vector<v1::Frame> deliveries;
  for (int i = 0; i < kDocuments; ++i) {
    deliveries.push_back(testing::DeliverDocumentFrame(
        static_cast<uint64_t>(i + 1),
        testing::MakeDocument(*b, kAgencyB, {kAgencyA},
                              {{"a.bin", std::string(1024, 'y')}})));
  }
  const auto start = SteadyClock::now();
  int sent = 0, acked = 0;
  int64_t credit = 1000;  // as in the agent's Hello
  while (acked < kDocuments) {
    while (sent < kDocuments && credit > 0) {
      f.broker.Send(f.routing, deliveries[static_cast<size_t>(sent++)]);
      --credit;
    }
    if (acked == sent) {
      // Everything sent is answered; more credit is on its way.
      auto c = f.broker.Next(v1::Frame::kCredit);
      REQUIRE(c.has_value());
      credit += c->frame.credit().count();
      continue;
    }
    auto ack = f.broker.Next(v1::Frame::kAck);
    REQUIRE(ack.has_value());
    ++acked;
    while (auto c = f.broker.Next(v1::Frame::kCredit,
                                  std::chrono::milliseconds(0))) {
      credit += c->frame.credit().count();
    }
  }
  const double seconds = Seconds(start);
  CHECK(f.agent->metrics().Value(metric::kReceived) == kDocuments);
  std::printf(
      "agent receiving: %d documents verified, stored, receipted and "
      "acknowledged "
      "in %.2f s = %.0f documents/s\n",
      kDocuments, seconds, kDocuments / seconds);
}

TEST_CASE("bench: the crypto the agent does per document, for comparison",
          "[.bench]") {
  testing::TestPki pki;
  RealClock clock;
  auto b = pki.SignerFor(kAgencyB);
  auto trust = crypto::TrustStore::Load(pki.paths().root_certificate(),
                                        pki.paths().crl(), clock);
  REQUIRE(trust.ok());
  auto registry = registry::AgencyRegistry::Load(pki.paths().registry());
  REQUIRE(registry.ok());
  crypto::Verifier verifier(**trust, *registry);
  testing::SignedDocument doc =
      testing::MakeDocument(*b, kAgencyB, {kAgencyA}, {});
  const int n = 2000;
  auto start = SteadyClock::now();
  for (int i = 0; i < n; ++i) REQUIRE(b->Sign(doc.header_bytes).ok());
  const double sign_us = Seconds(start) * 1e6 / n;
  start = SteadyClock::now();
  for (int i = 0; i < n; ++i) {
    REQUIRE(verifier.Verify(doc.header_bytes, doc.signature, kAgencyB).ok());
  }
  const double verify_us = Seconds(start) * 1e6 / n;
  std::printf("crypto here: sign %.0f us, verify %.0f us\n", sign_us,
              verify_us);
}

}  // namespace
}  // namespace docbus::agent
