// Submitting: validation, the durable outbox across restarts, the broker's
// answers, re-sending after the broker loses the session, status messages.
#include <catch2/catch.hpp>

#include "agent_test_support.h"
#include "agents/agent_metrics.h"
#include "agents/agent_store.h"
#include "bus/core/clock.h"
#include "bus/crypto/sha256.h"

namespace docbus::agent {
namespace {

using testing::FakeBroker;
using testing::kAgencyA;
using testing::kAgencyB;
using testing::SimpleRequest;

v1::Frame Accepted(const std::string& id, uint64_t index) {
  v1::Frame f;
  f.mutable_accepted()->set_message_id(id);
  f.mutable_accepted()->set_audit_index(index);
  return f;
}

TEST_CASE(
    "Submit refuses bad documents naming the field, before anything is stored",
    "[agent][submit]") {
  testing::TestPki pki;
  testing::TempDir data;
  RealClock clock;
  // No broker listens there: nothing needs to be sent for these.
  auto agent = Agent::Start(
      pki.OptionsFor(kAgencyA, data.path(), "tcp://127.0.0.1:9"), clock);
  REQUIRE(agent.ok());

  auto unknown = (*agent)->Submit(SimpleRequest("000.00.00.Z99"));
  CHECK(unknown.status().code() == Code::kUnknownRecipient);
  CHECK_THAT(unknown.status().message(), Catch::Contains("to[0]"));

  DocumentRequest bad_date = SimpleRequest(kAgencyB);
  bad_date.header.set_due_date("2026/02/30");
  auto date = (*agent)->Submit(bad_date);
  CHECK(date.status().code() == Code::kInvalidField);
  CHECK_THAT(date.status().message(), Catch::Contains("due_date"));

  DocumentRequest no_subject = SimpleRequest(kAgencyB);
  no_subject.header.clear_subject();
  CHECK((*agent)->Submit(no_subject).status().code() == Code::kInvalidField);

  DocumentRequest bad_utf8 = SimpleRequest(kAgencyB);
  bad_utf8.header.set_content("\xc3\x28");
  auto utf8 = (*agent)->Submit(bad_utf8);
  CHECK(utf8.status().code() == Code::kInvalidField);
  CHECK_THAT(utf8.status().message(), Catch::Contains("content"));

  DocumentRequest too_many = SimpleRequest(kAgencyB);
  for (int i = 0; i < 65; ++i)
    too_many.attachments.push_back({"f" + std::to_string(i), "", "x"});
  CHECK((*agent)->Submit(too_many).status().code() == Code::kTooLarge);

  auto listed = (*agent)->ListOutgoing(10);
  REQUIRE(listed.ok());
  CHECK(listed->empty());
  CHECK((*agent)->metrics().Value(metric::kSubmitRefused,
                                  Label("reason", "invalid_field")) == 3);
}

TEST_CASE("the store keeps an outbox entry across reopen until it is answered",
          "[agent][store]") {
  testing::TempDir data;
  OutboxEntry entry;
  entry.message_id = "0190f3a2-7c1e-7abc-9def-0123456789ab";
  entry.recipients = {kAgencyB};
  entry.header_sha256 = std::string(32, '\x01');
  entry.frame = std::string("exact frame bytes \x00\x01", 20);
  {
    auto store = AgentStore::Open(data.path());
    REQUIRE(store.ok());
    REQUIRE((*store)->Begin().ok());
    REQUIRE((*store)->AddOutbox(entry).ok());
    REQUIRE((*store)->Commit().ok());
  }
  {
    auto store = AgentStore::Open(data.path());
    REQUIRE(store.ok());
    auto pending = (*store)->PendingFrames(0, 10);
    REQUIRE(pending.ok());
    REQUIRE(pending->size() == 1);
    CHECK((*pending)[0].message_id == entry.message_id);
    CHECK((*pending)[0].frame == entry.frame);
    REQUIRE((*store)->Begin().ok());
    auto answered = (*store)->AnswerOutbox(
        entry.message_id, OutboxState::kAccepted, "", "", 41, 0, 1);
    REQUIRE(answered.ok());
    CHECK(*answered);
    auto again = (*store)->AnswerOutbox(
        entry.message_id, OutboxState::kRejected, "x", "y", -1, -1, 2);
    REQUIRE(again.ok());
    CHECK_FALSE(*again);  // the first answer stands
    REQUIRE((*store)->Commit().ok());
  }
  auto store = AgentStore::Open(data.path());
  REQUIRE(store.ok());
  auto pending = (*store)->PendingFrames(0, 10);
  REQUIRE(pending.ok());
  CHECK(pending->empty());
  auto found = (*store)->FindOutbox(entry.message_id);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->state == OutboxState::kAccepted);
  CHECK((*found)->audit_index == 41);
}

TEST_CASE(
    "a document submitted while the broker is away is sent byte-identical "
    "after a "
    "restart, and accepted once",
    "[agent][submit]") {
  testing::TestPki pki;
  testing::TempDir data;
  RealClock clock;
  FakeBroker broker(pki);
  AgentOptions options =
      pki.OptionsFor(kAgencyA, data.path(), broker.endpoint());
  std::string id;
  std::string frame_bytes;
  {
    // The first run never gets a Welcome: the document stays pending.
    auto agent = Agent::Start(options, clock);
    REQUIRE(agent.ok());
    DocumentRequest request = SimpleRequest(kAgencyB);
    request.attachments.push_back(
        {"bien-ban.pdf", "application/pdf", "PDF bytes"});
    auto submitted = (*agent)->Submit(request);
    REQUIRE(submitted.ok());
    id = *submitted;
    auto view = (*agent)->Outgoing(id);
    REQUIRE(view.ok());
    CHECK(view->state == "pending");
    CHECK(view->recipients == std::vector<std::string>{kAgencyB});
    auto store =
        AgentStore::Open(data.path());  // a second reader of the same file
    REQUIRE(store.ok());
    auto pending = (*store)->PendingFrames(0, 10);
    REQUIRE(pending.ok());
    REQUIRE(pending->size() == 1);
    frame_bytes = (*pending)[0].frame;
    REQUIRE(broker.Next(v1::Frame::kHello).has_value());  // never welcomed
  }
  auto agent = Agent::Start(options, clock);
  REQUIRE(agent.ok());
  const transport::Peer routing = broker.AcceptSession();
  auto submit = broker.Next(v1::Frame::kSubmit);
  REQUIRE(submit.has_value());
  CHECK(submit->payload == frame_bytes);
  v1::DocumentHeader header;
  REQUIRE(header.ParseFromString(submit->frame.submit().document().header()));
  CHECK(header.message_id() == id);
  CHECK(header.from().organ_id() == kAgencyA);
  CHECK(header.document_id() ==
        std::string(kAgencyA) + ",2026/11/28,15/VPCP-HC");
  REQUIRE(header.attachments_size() == 1);
  CHECK(header.attachments(0).sha256() == crypto::Sha256("PDF bytes"));

  broker.Send(routing, Accepted(id, 99));
  broker.Send(routing, Accepted(id, 99));  // a retransmission's answer
  broker.Barrier(routing);
  auto view = (*agent)->Outgoing(id);
  REQUIRE(view.ok());
  CHECK(view->state == "accepted");
  CHECK(view->audit_index == 99);
  CHECK((*agent)->metrics().Value(metric::kAccepted) == 1);
  CHECK((*agent)->metrics().Value(metric::kOutboxPending) == 0);
  CHECK((*agent)->metrics().Value(metric::kAuditSize) == 1);  // one AUDIT_SENT
}

TEST_CASE(
    "a rejection is recorded with its reason, and 'unavailable' is retried on "
    "a "
    "new session",
    "[agent][submit]") {
  testing::AgentWithBroker f;
  auto first = f.agent->Submit(SimpleRequest(kAgencyB));
  auto second = f.agent->Submit(SimpleRequest(kAgencyB));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE(f.broker.Next(v1::Frame::kSubmit).has_value());
  REQUIRE(f.broker.Next(v1::Frame::kSubmit).has_value());

  v1::Frame rejected;
  rejected.mutable_rejected()->set_message_id(*first);
  rejected.mutable_rejected()->set_reason(v1::REASON_UNKNOWN_RECIPIENT);
  rejected.mutable_rejected()->set_detail("no such agency");
  f.broker.Send(f.routing, rejected);
  // The broker lost the session (e.g. it restarted): the agent says Hello
  // again and re-sends what is unanswered.
  v1::Frame error;
  error.mutable_error()->set_reason(v1::REASON_UNAVAILABLE);
  error.mutable_error()->set_detail("hello first");
  f.broker.Send(f.routing, error);
  f.routing = f.broker.AcceptSession();
  auto resent = f.broker.Next(v1::Frame::kSubmit);
  REQUIRE(resent.has_value());
  v1::DocumentHeader header;
  REQUIRE(header.ParseFromString(resent->frame.submit().document().header()));
  CHECK(header.message_id() == *second);

  auto view = f.agent->Outgoing(*first);
  REQUIRE(view.ok());
  CHECK(view->state == "rejected");
  CHECK(view->reason == "unknown_recipient");
  CHECK(view->detail == "no such agency");
  CHECK(f.agent->metrics().Value(metric::kRejected,
                                 Label("reason", "unknown_recipient")) == 1);
}

TEST_CASE(
    "a rejection that can only name the Submit's correlation id is matched "
    "to its document",
    "[agent][submit]") {
  testing::AgentWithBroker f;
  auto first = f.agent->Submit(SimpleRequest(kAgencyB));
  auto second = f.agent->Submit(SimpleRequest(kAgencyB));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  auto sent = f.broker.Next(v1::Frame::kSubmit);
  REQUIRE(sent.has_value());
  CHECK(sent->frame.submit().correlation_id() == *first);
  REQUIRE(f.broker.Next(v1::Frame::kSubmit).has_value());

  // What a broker answers a header it cannot parse: no message id.
  v1::Frame rejected;
  rejected.mutable_rejected()->set_correlation_id(*first);
  rejected.mutable_rejected()->set_reason(v1::REASON_MALFORMED);
  rejected.mutable_rejected()->set_detail("document header does not parse");
  f.broker.Send(f.routing, rejected);
  v1::Frame error;
  error.mutable_error()->set_reason(v1::REASON_UNAVAILABLE);
  error.mutable_error()->set_detail("hello first");
  f.broker.Send(f.routing, error);
  f.routing = f.broker.AcceptSession();
  auto resent = f.broker.Next(v1::Frame::kSubmit);
  REQUIRE(resent.has_value());
  CHECK(resent->frame.submit().correlation_id() == *second);

  auto view = f.agent->Outgoing(*first);
  REQUIRE(view.ok());
  CHECK(view->state == "rejected");
  CHECK(view->reason == "malformed");
}

TEST_CASE(
    "a status about a received document is signed, sent to its sender and "
    "audited "
    "once accepted",
    "[agent][status]") {
  testing::AgentWithBroker f;
  auto b = f.pki.SignerFor(kAgencyB);
  testing::SignedDocument doc =
      testing::MakeDocument(*b, kAgencyB, {kAgencyA}, {});
  f.broker.Send(f.routing, testing::DeliverDocumentFrame(1, doc));
  REQUIRE(f.broker.Next(v1::Frame::kAck).has_value());

  CHECK(f.agent
            ->ReportStatus("0190f3a2-7c1e-7abc-9def-0123456789ab",
                           v1::STATUS_ACCEPTED, "")
            .status()
            .code() == Code::kNotFound);
  CHECK(f.agent->ReportStatus(doc.header.message_id(), v1::STATUS_REFUSED, "")
            .status()
            .code() == Code::kInvalidField);  // 02 needs a reason
  auto status_id = f.agent->ReportStatus(doc.header.message_id(),
                                         v1::STATUS_ACCEPTED, "Đã tiếp nhận");
  REQUIRE(status_id.ok());
  auto submitted = f.broker.Next(v1::Frame::kSubmitStatus);
  REQUIRE(submitted.has_value());
  const v1::SignedStatus& status = submitted->frame.submit_status().status();
  v1::StatusBody body;
  REQUIRE(body.ParseFromString(status.body()));
  CHECK(body.status_id() == *status_id);
  CHECK(body.message_id() == doc.header.message_id());
  CHECK(body.from().organ_id() == kAgencyA);
  CHECK(body.to() == kAgencyB);
  CHECK(body.code() == v1::STATUS_ACCEPTED);
  CHECK(body.response_for().document_id() == doc.header.document_id());

  const double audit_before = f.agent->metrics().Value(metric::kAuditSize);
  v1::Frame accepted;
  accepted.mutable_accepted()->set_message_id(*status_id);
  accepted.mutable_accepted()->set_audit_index(5);
  f.broker.Send(f.routing, accepted);
  f.broker.Barrier(f.routing);
  CHECK(f.agent->metrics().Value(metric::kStatusesSent) == 1);
  CHECK(f.agent->metrics().Value(metric::kAuditSize) == audit_before + 1);
}

}  // namespace
}  // namespace docbus::agent
