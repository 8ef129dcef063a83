// edXML end to end: agency systems hand envelopes and status packets to
// their agents (POST /v1/edxml), the documents cross a real broker, and the
// recipient's system takes them back as edXML (GET /v1/inbox/<id>/edxml,
// GET /v1/statuses/<id>/edxml) with every field and attachment intact.
// Samples: tests/edxml/testdata (the QCVN 102 structure, and the field
// deviations of real traffic).
#include <httplib.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "bus/edxml/edxml_envelope.h"
#include "bus/edxml/edxml_status.h"
#include "bus/registry/registry_file.h"
#include "certs/pki_paths.h"
#include "tests/e2e/e2e_support.h"
#include "tests/edxml/edxml_samples.h"
#include "tools/agent_client.h"

namespace docbus::e2e {
namespace {

using edxml::testing::Replaced;
using edxml::testing::Sample;

// The samples' third agency; registered, its agent never started.
const std::string kH14 = "000.00.00.H14";
constexpr auto kArrival = std::chrono::seconds(60);

// G22 and H41 with the system ids of deviations.edxml as aliases.
std::unique_ptr<local::Deployment> EdxmlDeployment() {
  auto d = MakeDeployment({kG22, kH41, kH14});
  auto file = registry::RegistryFile::Read(pki::PkiPaths(d->pki()).registry());
  REQUIRE(file.ok());
  file->Find(kG22)->aliases = {"vxp.saas.01"};
  file->Find(kH41)->aliases = {"vxp.saas.03"};
  REQUIRE(file->Save().ok());
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kG22).ok());
  REQUIRE(d->StartAgent(kH41).ok());
  return d;
}

struct Answer {
  int status = 0;
  std::string body;
  std::string content_type;
};

// A raw request to an agent's API with its token (the XML routes).
Answer Call(local::Deployment& d, const std::string& agency,
            const std::string& method, const std::string& path,
            const std::string& body = "") {
  auto client = agent_cli::AgentClient::Find(d.agent_data(agency));
  REQUIRE(client.ok());
  httplib::Client http(client->url());
  http.set_read_timeout(60);
  httplib::Headers headers{{"Authorization", "Bearer " + client->token()}};
  httplib::Result r =
      method == "GET"
          ? http.Get(path, headers)
          : http.Post(path, headers, body, "application/xml; charset=utf-8");
  Answer out;
  if (!r) return out;  // status 0: the connection failed
  out.status = r->status;
  out.body = r->body;
  out.content_type = r->get_header_value("Content-Type");
  return out;
}

nlohmann::json Json(const Answer& a) {
  return nlohmann::json::parse(a.body, nullptr, false);
}

// POSTs an envelope or status packet; the id it was given.
std::string Import(local::Deployment& d, const std::string& agency,
                   const std::string& xml) {
  const Answer a = Call(d, agency, "POST", "/v1/edxml", xml);
  INFO(a.body);
  REQUIRE(a.status == 202);
  const nlohmann::json answer = Json(a);
  return answer.value("message_id", answer.value("status_id", ""));
}

// The envelope of an arrived document, once it has arrived.
std::string Exported(local::Deployment& d, const std::string& agency,
                     const std::string& message_id) {
  Answer a;
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        a = Call(d, agency, "GET", "/v1/inbox/" + message_id + "/edxml");
        return a.status == 200;
      },
      kArrival));
  CHECK(a.content_type.rfind("application/xml", 0) == 0);
  return a.body;
}

edxml::Envelope Parse(const std::string& xml) {
  auto env = edxml::ParseEnvelope(xml, {});
  INFO((env.ok() ? "" : env.status().ToString()));
  REQUIRE(env.ok());
  return std::move(env).value();
}

// `exported` is `original` with only TraceHeader elements inserted in one
// place: the bytes before and after are the original's, exactly.
void CheckOnlyTracesAppended(const std::string& original,
                             const std::string& exported) {
  REQUIRE(exported.size() > original.size());
  size_t prefix = 0;
  while (prefix < original.size() && original[prefix] == exported[prefix]) {
    ++prefix;
  }
  size_t suffix = 0;
  while (suffix < original.size() - prefix &&
         original[original.size() - 1 - suffix] ==
             exported[exported.size() - 1 - suffix]) {
    ++suffix;
  }
  CHECK(prefix + suffix == original.size());
  std::string inserted =
      exported.substr(prefix, exported.size() - original.size());
  // Aligned on element boundaries, the insertion holds TraceHeaders only.
  while (!inserted.empty() && inserted.front() != '<') {
    inserted = inserted.substr(1) + inserted.front();
  }
  CHECK(inserted.find("TraceHeader>") != std::string::npos);
  for (const char* other : {"MessageHeader", "Bussiness", "Attachment"}) {
    CHECK(inserted.find(other) == std::string::npos);
  }
}

// The export against the imported envelope: every MessageHeader and
// TraceHeaderList field, attachments byte-identical, and the recipient's
// own hop appended last.
void CheckExport(const std::string& original, const std::string& exported,
                 const std::string& recipient) {
  const edxml::Envelope in = Parse(original);
  const edxml::Envelope out = Parse(exported);
  CHECK(out.header == in.header);
  CHECK(out.business == in.business);
  CHECK(out.signature == in.signature);
  CHECK(out.attachments == in.attachments);
  // The sender's hops, then the broker's (its log origin) and the
  // recipient's.
  REQUIRE(out.traces.size() == in.traces.size() + 2);
  for (size_t i = 0; i < in.traces.size(); ++i) {
    CHECK(out.traces[i] == in.traces[i]);
  }
  CHECK(out.traces[in.traces.size()].organ_id != recipient);
  CHECK(out.traces[in.traces.size()].organ_id != kG22);
  CHECK(out.traces.back().organ_id == recipient);
  CheckOnlyTracesAppended(original, exported);
}

// The agency's received statuses once there are `count` of them.
nlohmann::json StatusesOnceThere(local::Deployment& d,
                                 const std::string& agency, size_t count) {
  nlohmann::json statuses;
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        auto listed = d.Get(agency, "/v1/statuses");
        if (!listed.ok()) return false;
        statuses = (*listed)["statuses"];
        return statuses.size() == count;
      },
      kArrival));
  return statuses;
}

size_t OutboxSize(local::Deployment& d, const std::string& agency) {
  auto list = d.Get(agency, "/v1/documents");
  REQUIRE(list.ok());
  return (*list)["documents"].size();
}

}  // namespace

TEST_CASE(
    "an imported envelope crosses the broker and exports byte-identical "
    "apart from the appended TraceHeaders, and status packets travel "
    "back as packets",
    "[e2e][edxml]") {
  auto d = EdxmlDeployment();
  const std::string original = Sample("new_two_attachments.edxml");
  const std::string id = Import(*d, kG22, original);
  // A retried POST of the same bytes is the same document.
  const Answer retry = Call(*d, kG22, "POST", "/v1/edxml", original);
  REQUIRE(retry.status == 200);
  CHECK(Json(retry).value("message_id", "") == id);
  CHECK(Json(retry).value("duplicate", false));
  CHECK(OutboxSize(*d, kG22) == 1);

  const std::string exported = Exported(*d, kH41, id);
  CheckExport(original, exported, kH41);

  // H41's system answers with status packets; G22's system reads them back.
  const std::vector<std::string> packets{
      "status_inbox_01.edxml", "status_acceptance_03.edxml",
      "status_assignment_04.edxml", "status_processing_05.edxml",
      "status_finish_06.edxml"};
  std::vector<std::string> status_ids;
  for (const std::string& name : packets) {
    status_ids.push_back(Import(*d, kH41, Sample(name)));
  }
  (void)StatusesOnceThere(*d, kG22, packets.size());
  for (size_t i = 0; i < packets.size(); ++i) {
    const Answer a =
        Call(*d, kG22, "GET", "/v1/statuses/" + status_ids[i] + "/edxml");
    REQUIRE(a.status == 200);
    auto sent = edxml::ParseStatus(Sample(packets[i]), {});
    auto got = edxml::ParseStatus(a.body, {});
    REQUIRE(sent.ok());
    REQUIRE(got.ok());
    CHECK(got->status_code == sent->status_code);
    CHECK(got->description == sent->description);
    CHECK(got->response_for.document_id == sent->response_for.document_id);
    CHECK(got->response_for.organ_id == kG22);
    CHECK(got->from.organ_id == kH41);
  }
}

TEST_CASE(
    "a revocation request (13) reaches the recipient, and its answers "
    "(16, then 15 to a second request) and a refusal (02) come back",
    "[e2e][edxml]") {
  auto d = EdxmlDeployment();
  const std::string first =
      Import(*d, kG22, Sample("new_two_attachments.edxml"));
  (void)Exported(*d, kH41, first);
  // Each answer only once the broker has what it answers (the state machine
  // of bus/broker/README.md): 02, then 13, 16, 13 again, 15.
  (void)Import(*d, kH41, Sample("status_rejection_02.edxml"));
  (void)StatusesOnceThere(*d, kG22, 1);
  const std::string revoke =
      Import(*d, kG22, Sample("status_cancellation_13.edxml"));
  CHECK(!revoke.empty());
  const std::string received =
      StatusesOnceThere(*d, kH41, 1)[0].value("status_id", "");
  const Answer packet =
      Call(*d, kH41, "GET", "/v1/statuses/" + received + "/edxml");
  REQUIRE(packet.status == 200);
  auto parsed = edxml::ParseStatus(packet.body, {});
  REQUIRE(parsed.ok());
  CHECK(parsed->status_code == "13");
  CHECK(parsed->from.organ_id == kG22);
  CHECK(parsed->response_for.document_id ==
        Parse(Sample("new_two_attachments.edxml")).header.document_id);

  (void)Import(*d, kH41, Sample("status_change-rejection_16.edxml"));
  (void)StatusesOnceThere(*d, kG22, 2);
  // H14 (never started) has not answered the first 13: this one goes to
  // H41 only, and the answer says so.
  const Answer again = Call(*d, kG22, "POST", "/v1/edxml",
                            Sample("status_cancellation_13.edxml"));
  REQUIRE(again.status == 202);
  const nlohmann::json skipped = Json(again)["skipped"];
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].get<std::string>().rfind(kH14 + ": invalid_transition", 0) ==
        0);
  (void)StatusesOnceThere(*d, kH41, 2);
  (void)Import(*d, kH41, Sample("status_change-acceptance_15.edxml"));
  std::vector<int> codes;
  for (const auto& s : StatusesOnceThere(*d, kG22, 3)) {
    codes.push_back(s.value("code", 0));
  }
  CHECK(codes == std::vector<int>{2, 16, 15});
}

TEST_CASE(
    "revocation, update, replacement and a real-traffic envelope each "
    "travel and export with their fields and attachments intact",
    "[e2e][edxml]") {
  auto d = EdxmlDeployment();
  // The new document first: the others act on it (the broker checks their
  // target was sent, by this sender, to these recipients).
  for (const char* name :
       {"new_two_attachments.edxml", "update.edxml", "replacement.edxml",
        "revocation.edxml", "deviations.edxml"}) {
    INFO(name);
    const std::string original = Sample(name);
    const std::string id = Import(*d, kG22, original);
    CheckExport(original, Exported(*d, kH41, id), kH41);
  }
}

TEST_CASE(
    "a native JSON document exports as an envelope bus/edxml reads back "
    "with its fields, attachments and hops",
    "[e2e][edxml]") {
  auto d = EdxmlDeployment();
  std::string attachment;
  nlohmann::json document = MakeDocument({kH41}, 7, 5000, &attachment);
  auto id = d->Send(kG22, document);
  REQUIRE(id.ok());
  const std::string xml = Exported(*d, kH41, *id);
  CHECK(xml.find("<edXML:MessageHeader>") != std::string::npos);
  const edxml::Envelope env = Parse(xml);
  auto incoming = d->Get(kH41, "/v1/inbox/" + *id);
  REQUIRE(incoming.ok());
  CHECK(env.header.from.organ_id == kG22);
  REQUIRE(env.header.to.size() == 1);
  CHECK(env.header.to[0].organ_id == kH41);
  CHECK(env.header.subject == document.value("subject", ""));
  CHECK(env.header.document_id ==
        (*incoming)["document_id"].get<std::string>());
  REQUIRE(env.attachments.size() == 1);
  CHECK(env.attachments[0].data == attachment);
  REQUIRE(env.traces.size() == 3);  // sender, broker, recipient
  CHECK(env.traces.front().organ_id == kG22);
  CHECK(env.traces.back().organ_id == kH41);
}

TEST_CASE(
    "docbus send --edxml sends an envelope as it is and prints its "
    "message id",
    "[e2e][edxml][cli]") {
  auto d = EdxmlDeployment();
  const std::string file = std::string(DOCBUS_SOURCE_DIR) +
                           "/tests/edxml/testdata/new_two_attachments.edxml";
  int code = -1;
  auto printed = d->RunDocbus("send --agent '" + d->agent_data(kG22).string() +
                                  "' --edxml '" + file + "'",
                              &code);
  REQUIRE(printed.ok());
  REQUIRE(code == 0);
  std::string id = *printed;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  CHECK(id.find('\n') == std::string::npos);
  CheckExport(Sample("new_two_attachments.edxml"), Exported(*d, kH41, id),
              kH41);

  // Envelope fields and --to together are refused before anything is sent.
  auto mixed = d->RunDocbus("send --agent '" + d->agent_data(kG22).string() +
                                "' --edxml '" + file + "' --to " + kH41,
                            &code);
  CHECK(code != 0);
  CHECK(OutboxSize(*d, kG22) == 1);
}

TEST_CASE(
    "hostile XML through POST /v1/edxml is a 4xx with nothing stored "
    "and the agent's memory bounded",
    "[e2e][edxml]") {
  auto d = EdxmlDeployment();
  const long before_kib = PeakRssKiB(d->agent_pid(kG22));
  REQUIRE(before_kib > 0);

  const std::string laughs = edxml::testing::BillionLaughs();
  const std::string sample = Sample("new_two_attachments.edxml");
  const std::string passwd = Replaced(
      Replaced(sample, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE edXML "
               "[<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"),
      "<edXML:Subject>", "<edXML:Subject>&x;");
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "<a>";
  for (int i = 0; i < 10000; ++i) deep += "</a>";
  const std::string huge_text =
      Replaced(sample, "<edXML:Content>",
               "<edXML:Content>" + std::string(100 << 20, 'x'));
  const std::string bad_utf8 =
      Replaced(sample, "<edXML:Subject>", "<edXML:Subject>\xC3\x28\xFF");

  for (const auto& [what, xml] :
       std::vector<std::pair<std::string, const std::string*>>{
           {"billion laughs", &laughs},
           {"external entity", &passwd},
           {"10,000-deep nesting", &deep},
           {"100 MiB text node", &huge_text},
           {"invalid UTF-8", &bad_utf8}}) {
    INFO(what);
    const Answer a = Call(*d, kG22, "POST", "/v1/edxml", *xml);
    CHECK(a.status >= 400);
    CHECK(a.status < 500);
    CHECK(a.body.find("root:") == std::string::npos);  // nothing of passwd
  }
  CHECK(OutboxSize(*d, kG22) == 0);
  CHECK(d->AgentRunning(kG22));
  // Bound: the largest body the agent reads is 4/3 of max_inline_bytes
  // plus 1 MiB (the 100 MiB node is refused unread); the bad ones here are
  // small, so the agent's peak grows by less than 64 MiB.
  const long after_kib = PeakRssKiB(d->agent_pid(kG22));
  std::printf("edxml e2e: agent peak RSS %ld KiB -> %ld KiB\n", before_kib,
              after_kib);
  CHECK(after_kib - before_kib < 64 * 1024);
}

}  // namespace docbus::e2e
