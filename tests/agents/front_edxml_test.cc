// The edXML routes of the HTTP API against a fake agent: what an import
// answers, how a bad envelope is refused, and what the exports hold (the
// original bytes with this agency's hops appended in its time zone, a
// status packet bus/edxml reads back).
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agents/edxml/edxml_bridge.h"
#include "agents/http_api.h"
#include "bus/edxml/edxml_envelope.h"
#include "bus/edxml/edxml_status.h"
#include "tests/agents/front_fake_service.h"
#include "tests/edxml/edxml_samples.h"

namespace docbus::agent {
namespace {

using edxml::testing::Replaced;
using edxml::testing::Sample;
using nlohmann::json;
using testing::FakeAgentService;

constexpr char kToken[] = "edxml-token-0123456789abcdef";
const std::string kG22 = "000.00.00.G22";
const std::string kH41 = "000.00.00.H41";
const std::string kH14 = "000.00.00.H14";

struct Fixture {
  Fixture() {
    service.AddAgency(kG22, {kG22, "Văn phòng Chính phủ"});
    service.AddAgency(kH41, {kH41, "UBND Tỉnh H41"});
    service.AddAgency(kH14, {kH14, "UBND Tỉnh H14"});
    auto zone = document::TimeZone::Load("Asia/Ho_Chi_Minh");
    REQUIRE(zone.ok());
    service.SetTimeZone(*zone);
    HttpApiOptions options;
    options.token = kToken;
    auto started = StartHttpApi(service, options);
    REQUIRE(started.ok());
    api = std::move(started).value();
  }

  httplib::Result Call(const std::string& method, const std::string& path,
                       const std::string& body = "",
                       const httplib::Headers& headers = {}) {
    httplib::Client client(api->url());
    client.set_bearer_token_auth(kToken);
    if (method == "GET") return client.Get(path, headers);
    return client.Post(path, headers, body, "application/xml");
  }

  FakeAgentService service;
  std::unique_ptr<HttpApi> api;
};

TEST_CASE("POST /v1/edxml answers what was mapped and what was not, and "
          "hands the agent the envelope with its idempotency key",
          "[front][edxml]") {
  Fixture f;
  const std::string xml = Sample("new_two_attachments.edxml");
  auto res = f.Call("POST", "/v1/edxml", xml);
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 202);
  const json body = json::parse(res->body);
  CHECK(body["kind"] == "edoc");
  CHECK(body["duplicate"] == false);
  CHECK(body["mapped"].size() > 5);
  const auto submitted = f.service.Submitted();
  REQUIRE(submitted.size() == 1);
  CHECK(body["message_id"] == submitted[0].first);
  const DocumentRequest& request = submitted[0].second;
  CHECK(request.idempotency_key.rfind("edxml-sha256:", 0) == 0);
  REQUIRE(request.attachments.size() == 3);
  CHECK(request.attachments.back().data == xml);
  CHECK(request.header.edxml_envelope() == 3);
}

TEST_CASE("a malformed envelope is a 400 naming the element and the rule, "
          "and the agent is not called",
          "[front][edxml]") {
  Fixture f;
  const std::string xml = Replaced(Sample("new_two_attachments.edxml"),
                                   "<edXML:PromulgationDate>2026/11/28",
                                   "<edXML:PromulgationDate>28/11/2026");
  auto res = f.Call("POST", "/v1/edxml", xml);
  REQUIRE(res);
  CHECK(res->status == 400);
  const json body = json::parse(res->body);
  CHECK(body["error"] == "invalid_field");
  CHECK(body["detail"].get<std::string>().find(
            "MessageHeader.PromulgationInfo.PromulgationDate") !=
        std::string::npos);
  CHECK(f.service.submit_calls() == 0);
}

TEST_CASE("POST /v1/documents passes an Idempotency-Key header to the agent",
          "[front][edxml]") {
  Fixture f;
  httplib::Client client(f.api->url());
  client.set_bearer_token_auth(kToken);
  auto res = client.Post("/v1/documents", {{"Idempotency-Key", "đơn-1"}},
                         R"({"to": ["000.00.00.H41"], "subject": "Thử",
                            "code": {"number": "1", "notation": "VP"}})",
                         "application/json");
  REQUIRE(res);
  CHECK(res->status == 202);
  const auto submitted = f.service.Submitted();
  REQUIRE(submitted.size() == 1);
  CHECK(submitted[0].second.idempotency_key == "đơn-1");
}

TEST_CASE("an imported document exports its exact bytes with the broker's "
          "and this agency's TraceHeaders appended, in the agency's time "
          "zone and the prefix the list uses",
          "[front][edxml]") {
  Fixture f;
  const std::string original = Sample("unprefixed.edxml");
  auto parsed = edxml::ParseEnvelope(original, {});
  REQUIRE(parsed.ok());
  const std::string id = NewMessageId(RealClock());
  IncomingDocument doc = testing::MakeIncoming(
      id, {{"a.pdf", "application/pdf", "%PDF"},
           {"envelope.edxml", "application/xml", original}});
  doc.header.set_edxml_envelope(2);
  doc.summary.received_unix_ms = 1'780'000'000'123;
  doc.broker_accepted_unix_ms = 1'779'999'990'500;
  doc.broker_relay_id = "docbus.test/broker";
  f.service.AddIncoming(doc);

  auto res = f.Call("GET", "/v1/inbox/" + id + "/edxml");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  CHECK(res->get_header_value("Content-Type").rfind("application/xml", 0) == 0);
  auto exported = edxml::ParseEnvelope(res->body, {});
  REQUIRE(exported.ok());
  std::vector<edxml::TraceHeader> traces = parsed->traces;
  traces.push_back({"docbus.test/broker", "2026/05/29 03:26:30"});
  traces.push_back({kG22, "2026/05/29 03:26:40"});
  CHECK(exported->traces == traces);
  CHECK(exported->header == parsed->header);
  // Unprefixed list, unprefixed additions; the rest is the original.
  const std::string added =
      "<TraceHeader><OrganId>docbus.test/broker</OrganId><Timestamp>"
      "2026/05/29 03:26:30</Timestamp></TraceHeader>";
  const size_t at = res->body.find(added);
  REQUIRE(at != std::string::npos);
  std::string without = res->body;
  without.erase(at, res->body.find("</TraceHeader>", at + added.size()) +
                        std::string("</TraceHeader>").size() - at);
  CHECK(without == original);

  CHECK(f.Call("GET", "/v1/inbox/" + NewMessageId(RealClock()) + "/edxml")
            ->status == 404);
  CHECK(f.Call("GET", "/v1/inbox/not-an-id/edxml")->status == 400);
}

TEST_CASE("a native document exports as an envelope with the sender's, the "
          "broker's and this agency's hops",
          "[front][edxml]") {
  Fixture f;
  const std::string id = NewMessageId(RealClock());
  IncomingDocument doc =
      testing::MakeIncoming(id, {{"a.pdf", "application/pdf", "%PDF-1.7"}});
  doc.header.set_created_unix_ms(1'779'999'980'000);
  doc.broker_accepted_unix_ms = 1'779'999'990'500;
  f.service.AddIncoming(doc);
  auto res = f.Call("GET", "/v1/inbox/" + id + "/edxml");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto env = edxml::ParseEnvelope(res->body, {});
  REQUIRE(env.ok());
  CHECK(env->header.from.organ_id == kH41);
  CHECK(env->header.document_id == doc.header.document_id());
  CHECK(env->header.code.code_number == "7");
  CHECK(env->header.other_info.priority == "3");
  CHECK(env->header.promulgation_info.promulgation_date == "2026/05/29");
  REQUIRE(env->attachments.size() == 1);
  CHECK(env->attachments[0].data == "%PDF-1.7");
  REQUIRE(env->traces.size() == 3);
  CHECK(env->traces[0] == edxml::TraceHeader{kH41, "2026/05/29 03:26:20"});
  CHECK(env->traces[1].organ_id == "docbus-broker");
  CHECK(env->traces[2].organ_id == kG22);
}

TEST_CASE("GET /v1/statuses/<id>/edxml answers a received status as a "
          "packet bus/edxml reads back",
          "[front][edxml]") {
  Fixture f;
  v1::StatusBody body;
  body.set_status_id(NewMessageId(RealClock()));
  body.set_message_id(NewMessageId(RealClock()));
  body.mutable_from()->set_organ_id(kH41);
  body.set_to(kG22);
  body.mutable_response_for()->set_organ_id(kG22);
  body.mutable_response_for()->set_code("12/VPCP-TH");
  body.mutable_response_for()->set_document_id(
      "000.00.00.G22,2026/11/28,12/VPCP-TH");
  body.set_code(v1::STATUS_REFUSED);
  body.set_description("Sai thẩm quyền");
  body.set_created_unix_ms(1'780'000'000'123);
  f.service.AddStatusBody(body);
  auto res = f.Call("GET", "/v1/statuses/" + body.status_id() + "/edxml");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto packet = edxml::ParseStatus(res->body, {});
  REQUIRE(packet.ok());
  CHECK(packet->status_code == "02");
  CHECK(packet->description == "Sai thẩm quyền");
  CHECK(packet->from.organ_id == kH41);
  CHECK(packet->from.organ_name == "UBND Tỉnh H41");
  CHECK(packet->response_for.document_id == body.response_for().document_id());
  CHECK(packet->timestamp == "2026/05/29 03:26:40");
  CHECK(f.Call("GET", "/v1/statuses/" + NewMessageId(RealClock()) + "/edxml")
            ->status == 404);
}

}  // namespace
}  // namespace docbus::agent
