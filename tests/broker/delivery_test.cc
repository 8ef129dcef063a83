// Delivery: order, credit, acknowledgements, receipts, statuses, expiry and
// dead letters, as the agencies see them on the wire.
#include <catch2/catch.hpp>

#include "bus/store/broker_store.h"
#include "tests/broker/broker_fixture.h"

namespace docbus::broker::test {
namespace {

using std::chrono::milliseconds;

std::string MessageIdOf(const std::string& header_bytes) {
  v1::DocumentHeader header;
  header.ParseFromString(header_bytes);
  return header.message_id();
}

std::string MessageIdOf(const v1::Submit& submit) {
  return MessageIdOf(submit.document().header());
}

// Delivers among `frames` (in arrival order).
std::vector<v1::Deliver> Deliveries(const std::vector<v1::Frame>& frames) {
  std::vector<v1::Deliver> out;
  for (const v1::Frame& f : frames) {
    if (f.has_deliver()) out.push_back(f.deliver());
  }
  return out;
}

// Everything the broker has sent so far (two Ping round trips: deliveries of
// the turn that answered the first Ping arrive before the second Pong).
std::vector<v1::Deliver> AllDelivered(TestAgent& agent) {
  std::vector<v1::Deliver> out = Deliveries(agent.Drain());
  for (const v1::Deliver& d : Deliveries(agent.Drain())) out.push_back(d);
  return out;
}

TEST_CASE_METHOD(
    BrokerWithG22,
    "deliveries arrive by priority, oldest first within a priority",
    "[broker]") {
  const int priorities[] = {0, 3, 1, 4, 3, 2};
  std::vector<std::string> ids;
  for (int p : priorities) {
    const v1::Submit submit = MakeSubmit(kG22, {kH29}, {}, p);
    REQUIRE(g22.Submit(submit).has_accepted());
    ids.push_back(MessageIdOf(submit));
  }
  TestAgent h29(kH29, b.broker().zmq_endpoint());
  h29.Open(10);
  std::vector<std::string> got;
  for (const v1::Deliver& d : AllDelivered(h29)) {
    got.push_back(MessageIdOf(d.document().document().header()));
  }
  // hỏa tốc hẹn giờ, hỏa tốc (older first), thượng khẩn, khẩn, thường.
  CHECK(got == std::vector<std::string>{ids[3], ids[1], ids[4], ids[5], ids[2],
                                        ids[0]});
}

TEST_CASE_METHOD(BrokerWithG22,
                 "a broker never sends beyond an agency's credit", "[broker]") {
  v1::Frame sample;
  for (int i = 0; i < 8; ++i) {
    const v1::Submit submit =
        MakeSubmit(kG22, {kH29}, {std::string(1000, 'a' + i)});
    *sample.mutable_submit() = submit;
    REQUIRE(g22.Submit(submit).has_accepted());
  }

  SECTION("by count") {
    TestAgent h29(kH29, b.broker().zmq_endpoint());
    h29.Open(/*credit_count=*/3);
    std::vector<v1::Deliver> first = AllDelivered(h29);
    CHECK(first.size() == 3);
    for (const v1::Deliver& d : first) h29.Ack(d);  // acks are not credit
    CHECK(AllDelivered(h29).empty());

    v1::Frame credit;
    credit.mutable_credit()->set_count(2);
    h29.Send(credit);
    CHECK(AllDelivered(h29).size() == 2);
  }
  SECTION("by bytes") {
    // Room for two of these documents, not three.
    const uint64_t one = sample.ByteSizeLong() + 32;
    TestAgent h29(kH29, b.broker().zmq_endpoint());
    h29.Open(/*credit_count=*/100, /*credit_bytes=*/2 * one + one / 2);
    CHECK(AllDelivered(h29).size() == 2);
    v1::Frame credit;
    credit.mutable_credit()->set_count(0);
    credit.mutable_credit()->set_bytes(one);
    h29.Send(credit);
    CHECK(AllDelivered(h29).size() == 1);
  }
}

TEST_CASE_METHOD(
    BrokerWithG22,
    "an agency can neither acknowledge nor refuse another agency's delivery",
    "[broker]") {
  REQUIRE(g22.Submit(MakeSubmit(kG22, {kH41})).has_accepted());
  TestAgent h41(kH41, b.broker().zmq_endpoint());
  h41.Open();
  const v1::Deliver delivery = h41.Expect(v1::Frame::kDeliver).deliver();

  TestAgent h29(kH29, b.broker().zmq_endpoint());
  h29.Open();
  v1::Frame ack;
  ack.mutable_ack()->set_delivery_id(delivery.delivery_id());
  *ack.mutable_ack()->mutable_receipt() =
      MakeReceipt(kH29, delivery.document());
  h29.Send(ack);
  CHECK(h29.Expect(v1::Frame::kError).error().reason() ==
        v1::REASON_NOT_PERMITTED);
  v1::Frame refuse;
  refuse.mutable_refuse()->set_delivery_id(delivery.delivery_id());
  refuse.mutable_refuse()->set_reason(v1::REASON_BAD_SIGNATURE);
  h29.Send(refuse);
  CHECK(h29.Expect(v1::Frame::kError).error().reason() ==
        v1::REASON_NOT_PERMITTED);
  ack.mutable_ack()->set_delivery_id(999999);
  h29.Send(ack);
  CHECK(h29.Expect(v1::Frame::kError).error().reason() ==
        v1::REASON_NOT_PERMITTED);
  CHECK(b.broker().metrics().Value("docbus_broker_frame_errors_total",
                                   Label("reason", "not_permitted")) == 3);

  // A receipt signed by someone else is not the recipient's receipt.
  v1::Frame forged = ack;
  forged.mutable_ack()->set_delivery_id(delivery.delivery_id());
  v1::SignedReceipt receipt = MakeReceipt(kH41, delivery.document());
  receipt.set_signature(MakeReceipt(kH29, delivery.document()).signature());
  *forged.mutable_ack()->mutable_receipt() = receipt;
  h41.Send(forged);
  CHECK(h41.Expect(v1::Frame::kError).error().reason() ==
        v1::REASON_SIGNER_MISMATCH);
  CHECK(Deliveries(g22.Drain()).empty());  // no receipt reached the sender

  // The delivery is intact: its recipient acknowledges it and the sender
  // gets the receipt.
  h41.Ack(delivery);
  const v1::Deliver to_sender = g22.Expect(v1::Frame::kDeliver).deliver();
  REQUIRE(to_sender.has_receipt());
  CHECK(to_sender.receipt().body() ==
        MakeReceipt(kH41, delivery.document()).body());
}

TEST_CASE(
    "an undelivered document expires into a dead-letter notice to its sender",
    "[broker]") {
  TempDir dir;
  BrokerOptions options = TestOptions(dir.path());
  options.default_expiry_s = 60;
  TestBroker b(options);
  TestAgent g22(kG22, b.broker().zmq_endpoint());
  g22.Open();
  const v1::Submit submit = MakeSubmit(kG22, {kH29});
  const v1::Frame accepted = g22.Submit(submit);
  REQUIRE(accepted.has_accepted());
  CHECK(Deliveries(g22.Drain()).empty());

  b.clock().Advance(std::chrono::seconds(61));
  const v1::Deliver notice = g22.Expect(v1::Frame::kDeliver).deliver();
  REQUIRE(notice.has_dead_letter());
  CHECK(notice.dead_letter().message_id() == MessageIdOf(submit));
  CHECK(notice.dead_letter().recipient() == kH29);
  CHECK(notice.dead_letter().audit_index() > accepted.accepted().audit_index());
  CHECK(b.broker().metrics().Value("docbus_broker_expired_total",
                                   Label("reason", "expired")) == 1);
  g22.Ack(notice);

  // The recipient, coming online later, gets nothing.
  TestAgent h29(kH29, b.broker().zmq_endpoint());
  h29.Open();
  CHECK(AllDelivered(h29).empty());
}

TEST_CASE_METHOD(
    BrokerWithG22,
    "a delivery refused by its recipient becomes a dead letter for the sender",
    "[broker]") {
  const v1::Submit submit = MakeSubmit(kG22, {kH41});
  REQUIRE(g22.Submit(submit).has_accepted());
  TestAgent h41(kH41, b.broker().zmq_endpoint());
  h41.Open();
  const v1::Deliver delivery = h41.Expect(v1::Frame::kDeliver).deliver();
  v1::Frame refuse;
  refuse.mutable_refuse()->set_delivery_id(delivery.delivery_id());
  refuse.mutable_refuse()->set_reason(v1::REASON_CERTIFICATE_EXPIRED);
  h41.Send(refuse);
  const v1::Deliver notice = g22.Expect(v1::Frame::kDeliver).deliver();
  REQUIRE(notice.has_dead_letter());
  CHECK(notice.dead_letter().message_id() == MessageIdOf(submit));
  CHECK(notice.dead_letter().recipient() == kH41);
  CHECK(b.broker().metrics().Value("docbus_broker_expired_total",
                                   Label("reason", "certificate_expired")) ==
        1);
}

TEST_CASE_METHOD(
    BrokerWithG22,
    "a status goes from a recipient to the sender and no one else may send one",
    "[broker]") {
  const v1::Submit submit = MakeSubmit(kG22, {kH41});
  REQUIRE(g22.Submit(submit).has_accepted());
  const std::string message_id = MessageIdOf(submit);
  TestAgent h41(kH41, b.broker().zmq_endpoint());
  h41.Open();
  TestAgent h29(kH29, b.broker().zmq_endpoint());
  h29.Open();

  auto send_status = [](TestAgent& agent, const v1::SubmitStatus& status) {
    v1::Frame frame;
    *frame.mutable_submit_status() = status;
    agent.Send(frame);
    return agent.Expect(v1::Frame::kAccepted);
  };
  const v1::SubmitStatus accepted_status =
      MakeStatus(kH41, kG22, message_id, v1::STATUS_ACCEPTED);
  send_status(h41, accepted_status);
  const v1::Deliver status = g22.Expect(v1::Frame::kDeliver).deliver();
  REQUIRE(status.has_status());
  CHECK(status.status().body() == accepted_status.status().body());

  auto rejected = [](TestAgent& agent, const v1::SubmitStatus& s) {
    v1::Frame frame;
    *frame.mutable_submit_status() = s;
    agent.Send(frame);
    return agent.Expect(v1::Frame::kRejected).rejected().reason();
  };
  CHECK(rejected(h29, MakeStatus(kH29, kG22, message_id, v1::STATUS_DONE)) ==
        v1::REASON_NOT_PERMITTED);
  CHECK(rejected(h41,
                 MakeStatus(kH41, kG22, MessageIdOf(MakeSubmit(kG22, {kH41})),
                            v1::STATUS_DONE)) == v1::REASON_UNKNOWN_DOCUMENT);
  CHECK(rejected(h41, MakeStatus(kH41, kG22, message_id,
                                 v1::STATUS_REVOKE_REQUESTED)) ==
        v1::REASON_NOT_PERMITTED);
  CHECK(rejected(h29, MakeStatus(kG22, kH41, message_id,
                                 v1::STATUS_REVOKE_REQUESTED)) ==
        v1::REASON_SENDER_MISMATCH);
}

TEST_CASE_METHOD(
    BrokerWithG22,
    "an unacknowledged delivery is sent again: after a new Hello and after "
    "retransmit_ms",
    "[broker]") {
  REQUIRE(g22.Submit(MakeSubmit(kG22, {kH41})).has_accepted());
  TestAgent h41(kH41, b.broker().zmq_endpoint());
  h41.Open(5);
  const v1::Deliver first = h41.Expect(v1::Frame::kDeliver).deliver();
  CHECK(AllDelivered(h41).empty());

  b.clock().Advance(milliseconds(b.options().retransmit_ms + 1));
  const v1::Deliver resent = h41.Expect(v1::Frame::kDeliver).deliver();
  CHECK(resent.delivery_id() == first.delivery_id());

  v1::Frame hello;
  hello.mutable_hello()->set_protocol_version(1);
  hello.mutable_hello()->set_credit_count(5);
  h41.Send(hello);
  h41.Expect(v1::Frame::kWelcome);
  const v1::Deliver again = h41.Expect(v1::Frame::kDeliver).deliver();
  CHECK(again.delivery_id() == first.delivery_id());
  CHECK(again.document().document().header() ==
        first.document().document().header());
  h41.Ack(again);
  CHECK(g22.Expect(v1::Frame::kDeliver).deliver().has_receipt());
}

}  // namespace
}  // namespace docbus::broker::test
