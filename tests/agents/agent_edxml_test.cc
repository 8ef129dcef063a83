// The edXML bridge on a real agent (its store, builder and registry) with a
// fake broker: what an imported envelope becomes on the wire, retries,
// leniency for real-traffic envelopes, refusals that store nothing, and
// status packets mapped onto the document their ResponseFor names.
#include <catch2/catch.hpp>
#include <fstream>

#include "agent_test_support.h"
#include "agents/drop_folder.h"
#include "agents/edxml/edxml_bridge.h"
#include "bus/document/header_rules.h"
#include "bus/edxml/edxml_envelope.h"
#include "bus/edxml/edxml_status.h"
#include "bus/registry/registry_file.h"
#include "tests/edxml/edxml_samples.h"

namespace docbus::agent {
namespace {

using edxml::testing::Replaced;
using edxml::testing::Sample;
using testing::kAgencyA;
using testing::kAgencyB;
using testing::kAgencyC;

// Agency A's agent with the alias ids the samples use: A is also
// "vxp.saas.01", B "vxp.saas.03", C the QCVN 102 code "000.00.00.H14".
struct Fixture : testing::AgentWithBroker {
  Fixture() : bridge(*agent) {
    auto file = registry::RegistryFile::Read(pki.paths().registry());
    REQUIRE(file.ok());
    file->Find(kAgencyA)->aliases = {"vxp.saas.01"};
    file->Find(kAgencyB)->aliases = {"vxp.saas.03"};
    file->Find(kAgencyC)->aliases = {"000.00.00.H14"};
    REQUIRE(file->Save().ok());
    REQUIRE(agent->ReloadPki().ok());
  }

  v1::Submit NextSubmit() {
    auto frame = broker.Next(v1::Frame::kSubmit);
    REQUIRE(frame.has_value());
    return frame->frame.submit();
  }

  v1::StatusBody NextStatusBody() {
    auto sent = broker.Next(v1::Frame::kSubmitStatus);
    REQUIRE(sent.has_value());
    v1::StatusBody body;
    REQUIRE(body.ParseFromString(sent->frame.submit_status().status().body()));
    return body;
  }

  size_t OutboxSize() {
    auto sent = agent->ListOutgoing(100);
    REQUIRE(sent.ok());
    return sent->size();
  }

  EdxmlBridge bridge;
};

v1::DocumentHeader HeaderOf(const v1::Submit& submit) {
  v1::DocumentHeader h;
  REQUIRE(h.ParseFromString(submit.document().header()));
  return h;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

TEST_CASE("an imported envelope is signed as one document: its fields in the "
          "header, its attachments and its exact bytes as attachments",
          "[agent][edxml]") {
  Fixture f;
  const std::string xml = Sample("new_two_attachments.edxml");
  auto parsed = edxml::ParseEnvelope(xml, {});
  REQUIRE(parsed.ok());
  auto imported = f.bridge.Import(xml);
  REQUIRE(imported.ok());
  CHECK(imported->kind == "edoc");
  CHECK_FALSE(imported->duplicate);
  CHECK(Contains(imported->mapped, "MessageHeader.Subject"));
  CHECK(Contains(imported->mapped, "TraceHeaderList.Bussiness.BussinessDocType"));

  const v1::Submit submit = f.NextSubmit();
  const v1::DocumentHeader h = HeaderOf(submit);
  CHECK(h.message_id() == imported->id);
  CHECK(h.from().organ_id() == kAgencyA);
  CHECK(h.from().organ_name() == parsed->header.from.organ_name);
  // H14 is C's alias: routed to C under its docbus id.
  REQUIRE(h.to_size() == 2);
  CHECK(h.to(0).organ_id() == kAgencyB);
  CHECK(h.to(1).organ_id() == kAgencyC);
  CHECK(h.to(1).organ_name() == parsed->header.to[1].organ_name);
  CHECK(h.document_id() == parsed->header.document_id);
  CHECK(h.code().code_number() == parsed->header.code.code_number);
  CHECK(h.code().code_notation() == parsed->header.code.code_notation);
  CHECK(h.subject() == parsed->header.subject);
  CHECK(h.promulgation_info().promulgation_date() ==
        parsed->header.promulgation_info.promulgation_date);
  CHECK(h.signer_info().full_name() == parsed->header.signer_info.full_name);
  CHECK(h.business_type() == v1::BUSINESS_NEW);
  REQUIRE(!parsed->business.staff.empty());
  CHECK(h.staff_info().staff() == parsed->business.staff[0].staff);

  REQUIRE(parsed->attachments.size() == 2);
  REQUIRE(h.attachments_size() == 3);
  REQUIRE(submit.attachments_size() == 3);
  for (int i = 0; i < 2; ++i) {
    CHECK(h.attachments(i).name() == parsed->attachments[i].attachment_name);
    CHECK(h.attachments(i).media_type() == parsed->attachments[i].content_type);
    CHECK(submit.attachments(i).data() == parsed->attachments[i].data);
  }
  CHECK(h.edxml_envelope() == 3);
  CHECK(submit.attachments(2).data() == xml);
}

TEST_CASE("the same envelope imported twice is one document, and a different new "
          "envelope re-using its DocumentId is refused",
          "[agent][edxml]") {
  Fixture f;
  const std::string xml = Sample("new_two_attachments.edxml");
  auto first = f.bridge.Import(xml);
  REQUIRE(first.ok());
  auto again = f.bridge.Import(xml);
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->id == first->id);
  CHECK(f.OutboxSize() == 1);

  const std::string other =
      Replaced(xml, "<edXML:Subject>", "<edXML:Subject>Bản khác: ");
  auto refused = f.bridge.Import(other);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Code::kDuplicateDocument);
  CHECK_THAT(refused.status().message(),
             Catch::Contains("MessageHeader.DocumentId"));
  CHECK(f.OutboxSize() == 1);
}

TEST_CASE("a retried POST /v1/documents with the same idempotency key stores "
          "one document",
          "[agent][edxml]") {
  Fixture f;
  DocumentRequest request = testing::SimpleRequest(kAgencyB);
  request.idempotency_key = "retry-1";
  auto first = f.agent->Submit(request);
  REQUIRE(first.ok());
  auto second = f.agent->Submit(request);
  REQUIRE(second.ok());
  CHECK(*second == *first);
  request.idempotency_key = "retry-2";
  auto third = f.agent->Submit(request);
  REQUIRE(third.ok());
  CHECK(*third != *first);
  CHECK(f.OutboxSize() == 2);
}

TEST_CASE("an envelope from the field (system ids through aliases, a UUID "
          "DocumentId, a non-numeric CodeNumber, children out of order, a "
          "filled signature, a zip) is carried as given",
          "[agent][edxml]") {
  Fixture f;
  const std::string xml = Sample("deviations.edxml");
  auto parsed = edxml::ParseEnvelope(xml, {});
  REQUIRE(parsed.ok());
  auto imported = f.bridge.Import(xml);
  REQUIRE(imported.ok());
  CHECK(Contains(imported->unmapped, "Signature"));
  const v1::Submit submit = f.NextSubmit();
  const v1::DocumentHeader h = HeaderOf(submit);
  REQUIRE(h.to_size() == 1);
  CHECK(h.to(0).organ_id() == kAgencyB);  // vxp.saas.03
  CHECK(h.code().code_number() == "74fass22");
  CHECK(h.document_id() == parsed->header.document_id);
  CHECK(submit.attachments(0).data() == parsed->attachments[0].data);
  CHECK(h.attachments(0).media_type() == "application/zip");

  // The same header built natively keeps the strict QCVN 102 rules.
  v1::DocumentHeader native = h;
  native.set_edxml_envelope(0);
  CHECK(document::CheckDocumentHeader(native).code() == Code::kInvalidField);
}

TEST_CASE("an envelope that cannot be routed or read is refused naming the "
          "element, and nothing is stored",
          "[agent][edxml]") {
  Fixture f;
  const std::string xml = Sample("new_two_attachments.edxml");
  struct Case {
    std::string xml;
    Code code;
    std::string names;
  };
  const std::vector<Case> cases = {
      {Replaced(xml, "000.00.00.H14", "000.00.00.X99"),
       Code::kUnknownRecipient, "N.MessageHeader.To[2].OrganId"},
      {Replaced(xml, "<edXML:OrganId>000.00.00.G22",
                "<edXML:OrganId>000.00.00.H41"),
       Code::kNotPermitted, "MessageHeader.From.OrganId"},
      {Replaced(xml, "<edXML:Subject>", "<edXML:Subjec>"), Code::kMalformed,
       "M."},
      {Replaced(xml, "<edXML:BussinessDocType>0", "<edXML:BussinessDocType>7"),
       Code::kInvalidField, "BussinessDocType"},
      {"not xml at all", Code::kMalformed, "M."},
  };
  for (const Case& c : cases) {
    auto refused = f.bridge.Import(c.xml);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == c.code);
    CHECK_THAT(refused.status().message(), Catch::Contains(c.names));
  }
  CHECK(f.OutboxSize() == 0);
}

TEST_CASE("a status packet is reported about the received document its "
          "ResponseFor names, and refused for one the agent does not hold",
          "[agent][edxml]") {
  Fixture f;
  auto b = f.pki.SignerFor(kAgencyB);
  testing::SignedDocument doc =
      testing::MakeDocument(*b, kAgencyB, {kAgencyA}, {});
  f.broker.Send(f.routing, testing::DeliverDocumentFrame(5, doc));
  REQUIRE(f.broker.Next(v1::Frame::kAck).has_value());

  edxml::StatusPacket packet;
  packet.response_for = {"vxp.saas.03", "12/BNV-VP", "2026/11/28",
                         doc.header.document_id()};
  packet.from = {"vxp.saas.01", "", "Văn phòng Chính phủ"};
  packet.status_code = "03";
  packet.description = "Đã tiếp nhận";
  auto imported = f.bridge.Import(edxml::WriteStatus(packet));
  REQUIRE(imported.ok());
  CHECK(imported->kind == "status");
  const v1::StatusBody body = f.NextStatusBody();
  CHECK(body.status_id() == imported->id);
  CHECK(body.message_id() == doc.header.message_id());
  CHECK(body.code() == v1::STATUS_ACCEPTED);
  CHECK(body.to() == kAgencyB);

  packet.response_for.document_id = "000.00.00.H41,2026/11/28,99/BNV-VP";
  auto unknown = f.bridge.Import(edxml::WriteStatus(packet));
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().code() == Code::kUnknownDocument);
  CHECK_THAT(unknown.status().message(),
             Catch::Contains("ResponseFor.DocumentId"));
}

TEST_CASE("a revocation request (13) goes to every recipient of the document "
          "this agency sent",
          "[agent][edxml]") {
  Fixture f;
  auto document = f.bridge.Import(Sample("new_two_attachments.edxml"));
  REQUIRE(document.ok());
  auto imported = f.bridge.Import(Sample("status_cancellation_13.edxml"));
  REQUIRE(imported.ok());
  std::set<std::string> to;
  for (int i = 0; i < 2; ++i) {
    const v1::StatusBody body = f.NextStatusBody();
    CHECK(body.code() == v1::STATUS_REVOKE_REQUESTED);
    CHECK(body.message_id() == document->id);
    to.insert(body.to());
  }
  CHECK(to == std::set<std::string>{kAgencyB, kAgencyC});
}

}  // namespace
}  // namespace docbus::agent

namespace docbus::agent {
namespace {

namespace fs = std::filesystem;

TEST_CASE("the drop folder imports *.edxml from outbox/ and writes each "
          "received document as inbox/<id>.edxml",
          "[agent][edxml][drop]") {
  Fixture f;
  ::docbus::testing::TempDir tmp{"docbus-edxml-drop"};
  const fs::path root = tmp.path() / "drop";
  auto drop = StartDropFolder(*f.agent, root, std::chrono::hours(1));
  REQUIRE(drop.ok());
  const std::string xml = Sample("new_two_attachments.edxml");
  const std::string bad =
      Replaced(xml, "000.00.00.H14", "000.00.00.X99");
  auto put = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(root / ("." + name), std::ios::binary) << bytes;
    fs::rename(root / ("." + name), root / "outbox" / name);
  };
  put("cong-van.edxml", xml);
  put("sai.edxml", bad);
  REQUIRE((*drop)->ScanNow().ok());

  const v1::Submit submit = f.NextSubmit();
  const std::string id = HeaderOf(submit).message_id();
  std::ifstream sent(root / "sent" / "cong-van.edxml" / "message-id");
  std::string written;
  std::getline(sent, written);
  CHECK(written == id);
  CHECK(fs::exists(root / "sent" / "cong-van.edxml" / "cong-van.edxml"));
  std::ifstream error(root / "failed" / "sai.edxml" / "error.txt");
  std::string why;
  std::getline(error, why);
  CHECK_THAT(why, Catch::Contains("N.MessageHeader.To[2].OrganId"));
  CHECK(f.OutboxSize() == 1);

  // Put in again (a system that lost track): the same document.
  put("lai.edxml", xml);
  REQUIRE((*drop)->ScanNow().ok());
  std::ifstream again(root / "sent" / "lai.edxml" / "message-id");
  std::getline(again, written);
  CHECK(written == id);
  CHECK(f.OutboxSize() == 1);

  // A document from B arrives: its envelope is in inbox/ beside its folder.
  auto b = f.pki.SignerFor(kAgencyB);
  testing::SignedDocument doc =
      testing::MakeDocument(*b, kAgencyB, {kAgencyA}, {{"a.pdf", "%PDF"}});
  f.broker.Send(f.routing, testing::DeliverDocumentFrame(9, doc));
  REQUIRE(f.broker.Next(v1::Frame::kAck).has_value());
  REQUIRE((*drop)->ScanNow().ok());
  const fs::path envelope =
      root / "inbox" / (doc.header.message_id() + ".edxml");
  std::ifstream in(envelope, std::ios::binary);
  const std::string exported((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  auto parsed = edxml::ParseEnvelope(exported, {});
  INFO((parsed.ok() ? "" : parsed.status().ToString()));
  REQUIRE(parsed.ok());
  CHECK(parsed->header.document_id == doc.header.document_id());
  REQUIRE(parsed->attachments.size() == 1);
  CHECK(parsed->attachments[0].data == "%PDF");
  CHECK(parsed->traces.back().organ_id == kAgencyA);
  CHECK(fs::is_directory(root / "inbox" / doc.header.message_id()));
}

}  // namespace
}  // namespace docbus::agent
