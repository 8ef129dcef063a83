// Hidden benchmark ("[.bench]"): documents/s through the broker alone, end
// to end with receipts. Documents and receipts are signed before the clock
// starts, so the figure is the broker's (CURVE, parsing, two signature
// verifications, the store, the audit log, group commit), not the agents'.
// Prints figures; asserts only that everything arrived.
//   broker_test "[.bench]"   (DOCBUS_BENCH_DOCUMENTS, DOCBUS_BENCH_SIZE)
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <unordered_map>

#include "bus/transport/poll.h"
#include "tests/broker/broker_fixture.h"

namespace docbus::broker::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atoi(v) : fallback;
}

TEST_CASE("broker throughput end to end with receipts", "[.bench]") {
  const int n = EnvInt("DOCBUS_BENCH_DOCUMENTS", 10000);
  const int size = EnvInt("DOCBUS_BENCH_SIZE", 4096);
  const size_t window = 2000;

  // Everything signed up front.
  std::vector<v1::Frame> submits(static_cast<size_t>(n));
  std::unordered_map<std::string, v1::SignedReceipt> receipt_of;
  std::string attachment(static_cast<size_t>(size), 'x');
  for (int i = 0; i < n; ++i) {
    attachment[static_cast<size_t>(i) % attachment.size()] ^=
        static_cast<char>(i);
    v1::Submit submit = MakeSubmit(kG22, {kH41}, {attachment});
    v1::DocumentDelivery as_delivered;
    *as_delivered.mutable_document() = submit.document();
    *as_delivered.mutable_attachments() = submit.attachments();
    v1::DocumentHeader header;
    header.ParseFromString(submit.document().header());
    receipt_of[header.message_id()] = MakeReceipt(kH41, as_delivered);
    *submits[static_cast<size_t>(i)].mutable_submit() = std::move(submit);
  }

  TempDir dir;
  BrokerOptions options = TestOptions(dir.path());
  options.max_frame_bytes = 64 << 20;
  options.max_attachment_bytes = 32 << 20;
  RealClock clock;
  auto broker = Broker::Start(options, clock);
  REQUIRE(broker.ok());
  TestAgent g22(kG22, (*broker)->zmq_endpoint());
  TestAgent h41(kH41, (*broker)->zmq_endpoint());
  g22.Open(1000);
  h41.Open(1000);

  // Agents' side: acknowledge every delivery (with the pre-signed receipt
  // for documents) and give the credit back.
  size_t next = 0, accepted = 0, receipts = 0;
  auto handle = [&](TestAgent& agent, const v1::Frame& frame) {
    if (frame.has_accepted()) {
      ++accepted;
      return;
    }
    REQUIRE(frame.has_deliver());
    v1::Frame ack;
    ack.mutable_ack()->set_delivery_id(frame.deliver().delivery_id());
    if (frame.deliver().has_document()) {
      v1::DocumentHeader header;
      header.ParseFromString(frame.deliver().document().document().header());
      *ack.mutable_ack()->mutable_receipt() =
          receipt_of.at(header.message_id());
    } else {
      ++receipts;
    }
    agent.Send(ack);
    v1::Frame credit;
    credit.mutable_credit()->set_count(1);
    agent.Send(credit);
  };
  const auto start = SteadyClock::now();
  while (receipts < static_cast<size_t>(n)) {
    while (next < submits.size() && next - accepted < window)
      g22.Send(submits[next++]);
    zmq::socket_t* sockets[] = {&g22.socket(), &h41.socket()};
    REQUIRE(
        transport::PollReadable(sockets, std::chrono::milliseconds(10)).ok());
    for (TestAgent* agent : {&g22, &h41}) {
      while (auto frame = agent->Receive(std::chrono::milliseconds(0)))
        handle(*agent, *frame);
    }
    REQUIRE(SteadyClock::now() - start < std::chrono::minutes(5));
  }
  const double s =
      std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::printf(
      "broker alone: %d documents of %d bytes, every receipt back at the "
      "sender in "
      "%.2f s: %.0f documents/s\n",
      n, size, s, n / s);
  CHECK(accepted == static_cast<size_t>(n));
  CHECK((*broker)->Stop().ok());
}

long RssKiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0)
      return std::atol(line.c_str() + std::strlen(field));
  }
  return -1;
}

TEST_CASE("broker memory with a large queue for an offline agency",
          "[.bench]") {
  const int n = EnvInt("DOCBUS_BENCH_DOCUMENTS", 100000);
  const int size = EnvInt("DOCBUS_BENCH_SIZE", 4096);
  TempDir dir;
  RealClock clock;
  auto broker = Broker::Start(TestOptions(dir.path()), clock);
  REQUIRE(broker.ok());
  TestAgent g22(kG22, (*broker)->zmq_endpoint());
  g22.Open(1000);
  const long rss_before = RssKiB("VmRSS:");
  std::string attachment(static_cast<size_t>(size), 'q');
  const auto start = SteadyClock::now();
  int sent = 0, accepted = 0;
  while (accepted < n) {
    while (sent < n && sent - accepted < 500) {
      attachment[static_cast<size_t>(sent) % attachment.size()] ^= 1;
      v1::Frame frame;
      *frame.mutable_submit() = MakeSubmit(kG22, {kH29}, {attachment});
      g22.Send(frame);
      ++sent;
    }
    auto frame = g22.Receive(std::chrono::seconds(30));
    REQUIRE(frame.has_value());
    REQUIRE(frame->has_accepted());
    ++accepted;
  }
  const double s =
      std::chrono::duration<double>(SteadyClock::now() - start).count();
  // A restart reloads nothing of the queue but its per-agency depth.
  CHECK((*broker)->Stop().ok());
  broker->reset();
  const long rss_after_run = RssKiB("VmRSS:");
  auto again = Broker::Start(TestOptions(dir.path()), clock);
  REQUIRE(again.ok());
  TestAgent h29(kH29, (*again)->zmq_endpoint());
  h29.Open(10);
  const v1::Frame first = h29.Expect(v1::Frame::kDeliver);
  CHECK(first.deliver().has_document());
  std::printf(
      "offline queue: %d documents of %d bytes accepted in %.1f s (%.0f/s, "
      "signing "
      "included); process RSS %.1f MiB before, %.1f MiB after, peak %.1f MiB; "
      "after a restart with the queue: %.1f MiB\n",
      n, size, s, n / s, rss_before / 1024.0, rss_after_run / 1024.0,
      RssKiB("VmHWM:") / 1024.0, RssKiB("VmRSS:") / 1024.0);
}

}  // namespace
}  // namespace docbus::broker::test
