// Submissions: what a sender sees (Accepted / Rejected with its reason) and
// what the broker keeps (a document and one delivery per recipient, or
// nothing at all).
#include <catch2/catch.hpp>

#include "agents/json_codec.h"
#include "bus/core/wire_reason.h"
#include "bus/store/broker_store.h"
#include "tests/broker/broker_fixture.h"
#include "tests/document/bad_headers.h"

namespace docbus::broker::test {
namespace {

std::string MessageIdOf(const v1::Submit& submit) {
  v1::DocumentHeader header;
  header.ParseFromString(submit.document().header());
  return header.message_id();
}

// After the broker stopped: what its store holds.
struct Stored {
  bool document = false;
  std::map<std::string, int64_t> queues;
};

Stored Inspect(const std::filesystem::path& data_dir, const std::string& sender,
               const std::string& message_id) {
  auto store = store::OpenSqliteBrokerStore(data_dir);
  REQUIRE(store.ok());
  Stored s;
  auto doc = (*store)->FindDocument(sender, message_id);
  REQUIRE(doc.ok());
  s.document = doc->has_value();
  auto depths = (*store)->QueueDepths();
  REQUIRE(depths.ok());
  s.queues = *depths;
  return s;
}

TEST_CASE_METHOD(
    BrokerWithG22,
    "an accepted document is queued for each recipient and a resubmission "
    "gets the same answer",
    "[broker]") {
  const v1::Submit submit =
      MakeSubmit(kG22, {kH41, kH29}, {"attachment bytes \x01\x02"});

  const v1::Frame first = g22.Submit(submit);
  REQUIRE(first.has_accepted());
  CHECK(first.accepted().message_id() == MessageIdOf(submit));
  CHECK_FALSE(first.accepted().duplicate());

  const v1::Frame again = g22.Submit(submit);
  REQUIRE(again.has_accepted());
  CHECK(again.accepted().duplicate());
  CHECK(again.accepted().audit_index() == first.accepted().audit_index());

  // Each recipient receives the exact signed bytes and attachment.
  TestAgent h41(kH41, b.broker().zmq_endpoint());
  h41.Open();
  const v1::Frame deliver = h41.Expect(v1::Frame::kDeliver);
  REQUIRE(deliver.deliver().has_document());
  CHECK(deliver.deliver().document().document().header() ==
        submit.document().header());
  CHECK(deliver.deliver().document().document().signature() ==
        submit.document().signature());
  REQUIRE(deliver.deliver().document().attachments_size() == 1);
  CHECK(deliver.deliver().document().attachments(0).data() ==
        "attachment bytes \x01\x02");

  // Its receipt travels back to the sender.
  h41.Ack(deliver.deliver());
  const v1::Frame receipt = g22.Expect(v1::Frame::kDeliver);
  REQUIRE(receipt.deliver().has_receipt());
  v1::ReceiptBody body;
  REQUIRE(body.ParseFromString(receipt.deliver().receipt().body()));
  CHECK(body.recipient() == kH41);
  CHECK(body.message_id() == MessageIdOf(submit));
  g22.Ack(receipt.deliver());
  g22.Drain();
  h41.Drain();

  b.Stop();
  const Stored stored = Inspect(dir.path(), kG22, MessageIdOf(submit));
  CHECK(stored.document);
  CHECK(stored.queues.count(kH41) ==
        0);                            // delivered and its receipt handed over
  CHECK(stored.queues.at(kH29) == 1);  // offline: still queued
  CHECK(stored.queues.count(kG22) == 0);
}

struct Refusal {
  std::string name;
  v1::Reason reason;
};

TEST_CASE_METHOD(
    BrokerWithG22,
    "each refused submission gets its own reason and leaves nothing behind",
    "[broker]") {
  // The original of the duplicate-conflict case.
  const std::string reused_id = MessageIdOf(MakeSubmit(kG22, {kH41}));
  REQUIRE(
      g22.Submit(MakeSubmit(kG22, {kH41}, {}, 0, reused_id)).has_accepted());

  const std::string what = GENERATE(
      as<std::string>{}, "forged signature", "header claiming another sender",
      "unregistered recipient", "revoked recipient",
      "duplicate id with different content", "oversized frame",
      "attachments over the document limit", "altered attachment",
      "too many attachments", "malformed header", "invalid document id",
      "signature that is not DER", "addressed to its own sender");
  INFO(what);
  v1::Submit submit;
  v1::Reason want = v1::REASON_UNSPECIFIED;
  if (what == "forged signature") {
    submit = MakeSubmit(kG22, {kH41});
    std::string sig = submit.document().signature();
    sig[sig.size() - 5] ^= 0x01;
    submit.mutable_document()->set_signature(sig);
    want = v1::REASON_BAD_SIGNATURE;
  } else if (what == "header claiming another sender") {
    // Signed correctly by H41 but sent over G22's connection.
    submit = MakeSubmit(kH41, {kH29});
    want = v1::REASON_SENDER_MISMATCH;
  } else if (what == "unregistered recipient") {
    submit = MakeSubmit(kG22, {kH41, kUnregistered});
    want = v1::REASON_UNKNOWN_RECIPIENT;
  } else if (what == "revoked recipient") {
    submit = MakeSubmit(kG22, {kRevoked});
    want = v1::REASON_AGENCY_REVOKED;
  } else if (what == "duplicate id with different content") {
    submit = MakeSubmit(kG22, {kH29}, {}, 0, reused_id);
    want = v1::REASON_DUPLICATE_CONFLICT;
  } else if (what == "oversized frame") {
    // Four attachments of 64 KiB each are within the per-attachment limit,
    // but the frame is over limits.max_frame_bytes (256 KiB).
    const std::string big(64 * 1024, 'x');
    submit = MakeSubmit(kG22, {kH41}, {big, big, big, big});
    want = v1::REASON_TOO_LARGE;
  } else if (what == "attachments over the document limit") {
    // Within the frame (256 KiB) and per-attachment (64 KiB) limits, over
    // limits.max_document_bytes (192 KiB) together.
    const std::string part(60 * 1024, 'y');
    submit = MakeSubmit(kG22, {kH41}, {part, part, part, part});
    want = v1::REASON_TOO_LARGE;
  } else if (what == "altered attachment") {
    submit = MakeSubmit(kG22, {kH41}, {"the original annex"});
    submit.mutable_attachments(0)->set_data("the altered annex!");
    want = v1::REASON_DIGEST_MISMATCH;
  } else if (what == "too many attachments") {
    submit = MakeSubmit(kG22, {kH41}, {"1", "2", "3", "4", "5"});
    want = v1::REASON_TOO_LARGE;
  } else if (what == "malformed header") {
    submit = MakeSubmit(kG22, {kH41});
    submit.mutable_document()->set_header("\xff\xff\xff\xff not protobuf");
    want = v1::REASON_MALFORMED;
  } else if (what == "signature that is not DER") {
    submit = MakeSubmit(kG22, {kH41});
    submit.mutable_document()->set_signature("\x30\x03not DER at all");
    want = v1::REASON_BAD_SIGNATURE;
  } else if (what == "addressed to its own sender") {
    submit = MakeSubmit(kG22, {kH41, kG22});
    want = v1::REASON_INVALID_FIELD;
  } else if (what == "invalid document id") {
    submit = MakeSubmit(kG22, {kH41});
    v1::DocumentHeader header;
    REQUIRE(header.ParseFromString(submit.document().header()));
    header.set_document_id("not-an-edxml-document-id");
    submit = v1::Submit();
    const std::string bytes = header.SerializeAsString();
    submit.mutable_document()->set_header(bytes);
    submit.mutable_document()->set_signature(*SignerOf(kG22).Sign(bytes));
    want = v1::REASON_INVALID_FIELD;
  }
  const v1::Frame answer = g22.Submit(submit);
  REQUIRE(answer.has_rejected());
  CHECK(v1::Reason_Name(answer.rejected().reason()) == v1::Reason_Name(want));
  CHECK_FALSE(answer.rejected().detail().empty());
  CHECK(b.broker().metrics().Value(
            "docbus_broker_rejected_total",
            Label("reason", CodeName(FromWireReason(want)))) == 1);

  b.Stop();
  const std::string message_id = MessageIdOf(submit);
  const Stored stored = Inspect(dir.path(), kG22, message_id);
  if (what != "duplicate id with different content")
    CHECK_FALSE(stored.document);
  // Only the original document's delivery is queued.
  CHECK(stored.queues.size() == 1);
  CHECK(stored.queues.at(kH41) == 1);
  CHECK(stored.queues.count(kH29) == 0);
}

TEST_CASE_METHOD(
    BrokerWithG22,
    "a frame that is not protobuf is answered MALFORMED and counted",
    "[broker]") {
  g22.SendRaw(std::string("\x0a\xff\xff\xff\xff\x0f garbage", 15));
  const v1::Frame error = g22.Expect(v1::Frame::kError);
  CHECK(error.error().reason() == v1::REASON_MALFORMED);
  CHECK(b.broker().metrics().Value("docbus_broker_malformed_frames_total") ==
        1);
  // The connection still works.
  CHECK(g22.Submit(MakeSubmit(kG22, {kH41})).has_accepted());
}

TEST_CASE("an agency must say hello before anything else", "[broker]") {
  TempDir dir;
  TestBroker b(TestOptions(dir.path()));
  TestAgent g22(kG22, b.broker().zmq_endpoint());
  g22.Open(100, 0, /*hello=*/false);
  v1::Frame frame;
  *frame.mutable_submit() = MakeSubmit(kG22, {kH41});
  g22.Send(frame);
  const v1::Frame error = g22.Expect(v1::Frame::kError);
  CHECK(error.error().reason() == v1::REASON_UNAVAILABLE);
  CHECK(error.error().detail() == "hello first");
}

TEST_CASE("a revoked agency's CURVE key cannot connect", "[broker]") {
  TempDir dir;
  TestBroker b(TestOptions(dir.path()));
  CHECK_FALSE(HandshakeAccepted(b.broker().zmq_endpoint(), kRevoked));
  CHECK(HandshakeAccepted(b.broker().zmq_endpoint(), kG22));
}

v1::Submit SignedBy(const std::string& agency,
                    const v1::DocumentHeader& header) {
  v1::Submit submit;
  const std::string bytes = header.SerializeAsString();
  auto signature = SignerOf(agency).Sign(bytes);
  REQUIRE(signature.ok());
  submit.mutable_document()->set_header(bytes);
  submit.mutable_document()->set_signature(*signature);
  submit.set_correlation_id(header.message_id());
  return submit;
}

TEST_CASE_METHOD(BrokerWithG22,
                 "the broker and the agent's JSON front end refuse each bad "
                 "header with the same reason, naming the same field",
                 "[broker]") {
  static_assert(std::string_view(document::testing::kSender) ==
                "000.00.00.G22");
  static_assert(std::string_view(document::testing::kRecipient) ==
                "000.00.00.H41");
  int refused = 0;
  for (const document::testing::BadHeader& bad :
       document::testing::BadHeaders()) {
    INFO(bad.what);
    v1::DocumentHeader header = document::testing::GoodHeader();
    bad.spoil(header);
    const v1::Frame answer = g22.Submit(SignedBy(kG22, header));
    REQUIRE(answer.has_rejected());
    CHECK(v1::Reason_Name(answer.rejected().reason()) ==
          v1::Reason_Name(ToWireReason(bad.code)));
    INFO(answer.rejected().detail());
    CHECK(answer.rejected().detail().rfind(bad.field + ": ", 0) == 0);
    ++refused;
    if (bad.json_field.empty()) continue;  // the agent fills that field

    // The same header as an agency system posts it to its agent.
    agent::DocumentRequest request;
    request.header = header;
    request.header.clear_message_id();
    request.header.clear_from();
    request.header.clear_created_unix_ms();
    auto parsed = agent::DocumentRequestFromJson(
        agent::DumpJson(agent::RenderDocumentRequest(request)),
        b.clock().NowUnixMillis());
    REQUIRE_FALSE(parsed.ok());
    CHECK(v1::Reason_Name(ToWireReason(parsed.status().code())) ==
          v1::Reason_Name(answer.rejected().reason()));
    INFO(parsed.status().message());
    CHECK(parsed.status().message().rfind(bad.json_field + ": ", 0) == 0);
  }
  CHECK(b.broker().metrics().Value(
            "docbus_broker_rejected_total",
            Label("reason", CodeName(Code::kInvalidField))) == refused);
}

TEST_CASE_METHOD(BrokerWithG22,
                 "a refusal of a header that does not parse echoes the "
                 "Submit's correlation id",
                 "[broker]") {
  v1::Submit submit = MakeSubmit(kG22, {kH41});
  submit.mutable_document()->set_header("\xff\xff\xff\xff not protobuf");
  submit.set_correlation_id("client-42");
  const v1::Frame answer = g22.Submit(submit);
  REQUIRE(answer.has_rejected());
  CHECK(answer.rejected().reason() == v1::REASON_MALFORMED);
  CHECK(answer.rejected().message_id().empty());
  CHECK(answer.rejected().correlation_id() == "client-42");

  // A status body that does not parse, likewise.
  v1::Frame frame;
  v1::SubmitStatus* status = frame.mutable_submit_status();
  status->mutable_status()->set_body("\xff\xff\xff not protobuf");
  status->set_correlation_id("status-7");
  g22.Send(frame);
  const v1::Frame refused = g22.Expect(v1::Frame::kRejected);
  CHECK(refused.rejected().reason() == v1::REASON_MALFORMED);
  CHECK(refused.rejected().correlation_id() == "status-7");

  // An id longer than the 128 bytes the broker echoes is not echoed.
  submit.set_correlation_id(std::string(129, 'c'));
  const v1::Frame long_id = g22.Submit(submit);
  REQUIRE(long_id.has_rejected());
  CHECK(long_id.rejected().correlation_id().empty());
}

}  // namespace
}  // namespace docbus::broker::test
