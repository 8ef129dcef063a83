// Deliveries to the agent: documents (stored once, receipted, refused with
// their reason when forged) and receipts for what it sent.
#include <catch2/catch.hpp>

#include "agent_test_support.h"
#include "agents/agent_metrics.h"
#include "bus/core/clock.h"
#include "bus/crypto/sha256.h"
#include "bus/crypto/trust_store.h"
#include "bus/crypto/verifier.h"
#include "bus/registry/agency_registry.h"

namespace docbus::agent {
namespace {

using testing::kAgencyA;
using testing::kAgencyB;
using testing::kAgencyC;

struct Fixture : testing::AgentWithBroker {
  // Delivers and returns the agent's answer frame (Ack or Refuse).
  v1::Frame Deliver(const v1::Frame& deliver) {
    broker.Send(routing, deliver);
    while (true) {
      auto ack = broker.Next(v1::Frame::kAck, std::chrono::milliseconds(0));
      if (ack) return ack->frame;
      auto refuse =
          broker.Next(v1::Frame::kRefuse, std::chrono::milliseconds(0));
      if (refuse) return refuse->frame;
      broker.Barrier(routing);
    }
  }

  std::unique_ptr<crypto::Verifier> MakeVerifier(
      std::unique_ptr<crypto::TrustStore>& trust) {
    auto t = crypto::TrustStore::Load(pki.paths().root_certificate(),
                                      pki.paths().crl(), clock);
    REQUIRE(t.ok());
    trust = std::move(t).value();
    auto registry = registry::AgencyRegistry::Load(pki.paths().registry());
    REQUIRE(registry.ok());
    return std::make_unique<crypto::Verifier>(*trust, *registry);
  }
};

TEST_CASE(
    "a duplicate delivery is stored once and answered with the same signed "
    "receipt",
    "[agent][delivery]") {
  Fixture f;
  auto b = f.pki.SignerFor(kAgencyB);
  const std::string pdf = std::string("%PDF-1.7\n\x00\x01\xff binary", 22);
  testing::SignedDocument doc =
      testing::MakeDocument(*b, kAgencyB, {kAgencyA}, {{"a.pdf", pdf}});

  v1::Frame first = f.Deliver(testing::DeliverDocumentFrame(7, doc));
  REQUIRE(first.has_ack());
  CHECK(first.ack().delivery_id() == 7);
  v1::Frame second = f.Deliver(testing::DeliverDocumentFrame(8, doc));
  REQUIRE(second.has_ack());
  CHECK(second.ack().delivery_id() == 8);
  CHECK(second.ack().receipt().SerializeAsString() ==
        first.ack().receipt().SerializeAsString());

  // The receipt is A's signature over digests of exactly what was delivered.
  std::unique_ptr<crypto::TrustStore> trust;
  auto verifier = f.MakeVerifier(trust);
  const v1::SignedReceipt& receipt = first.ack().receipt();
  CHECK(verifier->Verify(receipt.body(), receipt.signature(), kAgencyA).ok());
  v1::ReceiptBody body;
  REQUIRE(body.ParseFromString(receipt.body()));
  CHECK(body.message_id() == doc.header.message_id());
  CHECK(body.recipient() == kAgencyA);
  CHECK(body.sender() == kAgencyB);
  CHECK(body.header_sha256() == crypto::Sha256(doc.header_bytes));
  REQUIRE(body.attachment_sha256_size() == 1);
  CHECK(body.attachment_sha256(0) == crypto::Sha256(pdf));

  auto inbox = f.agent->ListIncoming(0, 100);
  REQUIRE(inbox.ok());
  REQUIRE(inbox->size() == 1);
  CHECK((*inbox)[0].message_id == doc.header.message_id());
  CHECK((*inbox)[0].sender == kAgencyB);
  auto stored = f.agent->Incoming(doc.header.message_id());
  REQUIRE(stored.ok());
  CHECK(stored->header_bytes == doc.header_bytes);
  CHECK(stored->signature == doc.signature);
  REQUIRE(stored->attachments.size() == 1);
  CHECK(stored->attachments[0].name == "a.pdf");
  CHECK(stored->attachments[0].data == pdf);
  CHECK(f.agent->metrics().Value(metric::kReceived) == 1);
  CHECK(f.agent->metrics().Value(metric::kDuplicates) == 1);
  CHECK(f.agent->metrics().Value(metric::kAuditSize) ==
        1);  // one AUDIT_RECEIVED

  // Credit comes back for both deliveries.
  auto credit = f.broker.Next(v1::Frame::kCredit);
  REQUIRE(credit.has_value());
  CHECK(credit->frame.credit().count() >= 1);
}

TEST_CASE(
    "a delivery whose signature or attachments fail is refused with its reason",
    "[agent][delivery]") {
  Fixture f;
  auto b = f.pki.SignerFor(kAgencyB);
  auto c = f.pki.SignerFor(kAgencyC);

  SECTION("one byte of the signed header changed") {
    testing::SignedDocument doc =
        testing::MakeDocument(*b, kAgencyB, {kAgencyA}, {});
    const size_t at = doc.header_bytes.find("triển");
    REQUIRE(at != std::string::npos);
    doc.header_bytes[at] = 'T';
    v1::Frame answer = f.Deliver(testing::DeliverDocumentFrame(1, doc));
    REQUIRE(answer.has_refuse());
    CHECK(answer.refuse().reason() == v1::REASON_BAD_SIGNATURE);
  }
  SECTION("signed by C, claiming to be from B") {
    testing::SignedDocument doc =
        testing::MakeDocument(*c, kAgencyB, {kAgencyA}, {});
    v1::Frame answer = f.Deliver(testing::DeliverDocumentFrame(2, doc));
    REQUIRE(answer.has_refuse());
    CHECK(answer.refuse().reason() == v1::REASON_SIGNER_MISMATCH);
  }
  SECTION("attachment bytes differ from the manifest") {
    testing::SignedDocument doc = testing::MakeDocument(
        *b, kAgencyB, {kAgencyA}, {{"a.pdf", "original"}});
    doc.attachments[0].set_data("tampered");
    v1::Frame answer = f.Deliver(testing::DeliverDocumentFrame(3, doc));
    REQUIRE(answer.has_refuse());
    CHECK(answer.refuse().reason() == v1::REASON_DIGEST_MISMATCH);
  }
  SECTION("not addressed to this agency") {
    testing::SignedDocument doc =
        testing::MakeDocument(*b, kAgencyB, {kAgencyC}, {});
    v1::Frame answer = f.Deliver(testing::DeliverDocumentFrame(4, doc));
    REQUIRE(answer.has_refuse());
    CHECK(answer.refuse().reason() == v1::REASON_NOT_PERMITTED);
  }
  SECTION("garbage instead of a header") {
    testing::SignedDocument doc =
        testing::MakeDocument(*b, kAgencyB, {kAgencyA}, {});
    doc.header_bytes = "\xff\xff\xff garbage";
    v1::Frame answer = f.Deliver(testing::DeliverDocumentFrame(5, doc));
    REQUIRE(answer.has_refuse());
    CHECK(answer.refuse().reason() == v1::REASON_MALFORMED);
  }
  auto inbox = f.agent->ListIncoming(0, 100);
  REQUIRE(inbox.ok());
  CHECK(inbox->empty());
  CHECK(f.agent->metrics().Value(metric::kAuditSize) == 0);
  CHECK(f.agent->metrics().Value(metric::kReceived) == 0);
}

TEST_CASE(
    "a receipt not signed by the recipient is not recorded, a genuine one is",
    "[agent][delivery]") {
  Fixture f;
  DocumentRequest request;
  request.header.add_to()->set_organ_id(kAgencyB);
  request.header.set_subject("Báo cáo tình hình");
  request.header.mutable_code()->set_code_number("7");
  request.header.mutable_code()->set_code_notation("VPCP-TH");
  request.attachments.push_back({"r.txt", "text/plain", "report body"});
  auto id = f.agent->Submit(request);
  REQUIRE(id.ok());
  auto submit = f.broker.Next(v1::Frame::kSubmit);
  REQUIRE(submit.has_value());
  const v1::SignedDocument& sent = submit->frame.submit().document();
  v1::DocumentHeader header;
  REQUIRE(header.ParseFromString(sent.header()));
  CHECK(header.message_id() == *id);

  auto c = f.pki.SignerFor(kAgencyC);
  v1::Frame forged;
  forged.mutable_deliver()->set_delivery_id(11);
  *forged.mutable_deliver()->mutable_receipt() =
      testing::MakeReceipt(*c, kAgencyB, header, sent.header());
  v1::Frame answer = f.Deliver(forged);
  REQUIRE(answer.has_refuse());
  CHECK(answer.refuse().reason() == v1::REASON_SIGNER_MISMATCH);
  auto view = f.agent->Outgoing(*id);
  REQUIRE(view.ok());
  CHECK(view->receipts.empty());

  auto b = f.pki.SignerFor(kAgencyB);
  v1::Frame genuine;
  genuine.mutable_deliver()->set_delivery_id(12);
  *genuine.mutable_deliver()->mutable_receipt() =
      testing::MakeReceipt(*b, kAgencyB, header, sent.header());
  answer = f.Deliver(genuine);
  REQUIRE(answer.has_ack());
  CHECK(answer.ack().delivery_id() == 12);
  view = f.agent->Outgoing(*id);
  REQUIRE(view.ok());
  REQUIRE(view->receipts.size() == 1);
  CHECK(view->receipts[0].recipient == kAgencyB);
  CHECK(f.agent->metrics().Value(metric::kReceiptsReceived) == 1);
}

}  // namespace
}  // namespace docbus::agent
