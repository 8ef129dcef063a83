// The agent's loopback HTTP API, driven over real HTTP against a fake agent:
// who gets in, what reaches the agent, and how bad input is answered.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "agents/http_api.h"
#include "agents/json_codec.h"
#include "bus/core/base64.h"
#include "bus/crypto/sha256.h"
#include "tests/agents/front_fake_service.h"

namespace docbus::agent {
namespace {

using nlohmann::json;
using testing::FakeAgentService;

constexpr char kToken[] = "s3cret-token-0123456789abcdef";

struct ApiFixture {
  explicit ApiFixture(size_t max_body = size_t{8} << 20) {
    HttpApiOptions options;
    options.token = kToken;
    options.max_body_bytes = max_body;
    auto started = StartHttpApi(service, options);
    REQUIRE(started.ok());
    api = std::move(started).value();
  }

  httplib::Result Get(const std::string& path,
                      const std::string& token = kToken) {
    httplib::Client client(api->url());
    if (!token.empty()) client.set_bearer_token_auth(token);
    return client.Get(path.c_str());
  }

  httplib::Result Post(const std::string& path, const std::string& body,
                       const std::string& token = kToken) {
    httplib::Client client(api->url());
    if (!token.empty()) client.set_bearer_token_auth(token);
    return client.Post(path.c_str(), body, "application/json");
  }

  FakeAgentService service;
  std::unique_ptr<HttpApi> api;
};

json Body(const httplib::Result& res) { return json::parse(res->body); }

std::string Document(const std::string& extra = "") {
  return R"({"to": ["000.00.00.H41"], "subject": "Về việc thử nghiệm",
             "code": {"number": "12", "notation": "UBND-VP"})" +
         extra + "}";
}

TEST_CASE("the API refuses requests without the right token", "[front][http]") {
  ApiFixture f;
  for (const std::string& token :
       {std::string(), std::string("wrong"), std::string(kToken) + "x"}) {
    auto res = f.Post("/v1/documents", Document(), token);
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(Body(res)["error"] == "unauthorized");
    CHECK(f.Get("/v1/inbox", token)->status == 401);
  }
  CHECK(f.service.submit_calls() == 0);
  CHECK(f.service.metrics().Value("docbus_agent_api_refused_total",
                                  "reason=\"unauthorized\"") == 6);
  // Health and metrics are for local monitoring and need no token.
  CHECK(f.Get("/healthz", "")->status == 200);
  auto metrics = f.Get("/metrics", "");
  REQUIRE(metrics->status == 200);
  CHECK(metrics->body.find("docbus_agent_api_refused_total") !=
        std::string::npos);
  CHECK(f.Get("/v1/inbox")->status == 200);
}

TEST_CASE("a posted document reaches the agent intact", "[front][http]") {
  ApiFixture f;
  const std::string pdf = testing::AllBytes();
  const std::string body = Document(
      R"(, "priority": 4, "signer": {"full_name": "Nguyễn Văn A"},
         "attachments": [{"name": "công văn.pdf", "media_type": "application/pdf",
                          "data_base64": ")" +
      Base64Encode(pdf) + R"("}, {"name": "empty.txt", "data_base64": ""}])");
  auto res = f.Post("/v1/documents", body);
  REQUIRE(res);
  REQUIRE(res->status == 202);
  const auto submitted = f.service.Submitted();
  REQUIRE(submitted.size() == 1);
  CHECK(Body(res)["message_id"] == submitted[0].first);
  const DocumentRequest& request = submitted[0].second;
  CHECK(request.header.subject() == "Về việc thử nghiệm");
  CHECK(request.header.priority() == v1::PRIORITY_FLASH_SCHEDULED);
  CHECK(request.header.signer_info().full_name() == "Nguyễn Văn A");
  REQUIRE(request.attachments.size() == 2);
  CHECK(request.attachments[0].name == "công văn.pdf");
  CHECK(request.attachments[0].media_type == "application/pdf");
  CHECK(request.attachments[0].data == pdf);
  CHECK(request.attachments[1].media_type == "application/octet-stream");
  CHECK(request.attachments[1].data.empty());
}

TEST_CASE("a multipart submission carries attachment bytes without base64",
          "[front][http]") {
  ApiFixture f;
  const std::string pdf = testing::AllBytes() + std::string(100000, '\0');
  httplib::Client client(f.api->url());
  client.set_bearer_token_auth(kToken);
  const std::string document = Document(
      R"(, "attachments": [{"name": "công văn.pdf", "file": "scan.pdf",
                            "media_type": "application/pdf"}])");
  auto res = client.Post("/v1/documents",
                         httplib::MultipartFormDataItems{
                             {"document", document, "", "application/json"},
                             {"scan.pdf", pdf, "scan.pdf", "application/pdf"}});
  REQUIRE(res);
  REQUIRE(res->status == 202);
  const auto submitted = f.service.Submitted();
  REQUIRE(submitted.size() == 1);
  CHECK(Body(res)["message_id"] == submitted[0].first);
  // The JSON part is the document, not just the list of its files.
  CHECK(submitted[0].second.header.subject() == "Về việc thử nghiệm");
  REQUIRE(submitted[0].second.attachments.size() == 1);
  CHECK(submitted[0].second.attachments[0].name == "công văn.pdf");
  CHECK(submitted[0].second.attachments[0].media_type == "application/pdf");
  CHECK(submitted[0].second.attachments[0].data == pdf);

  // A reference to a part that is not there, or no JSON part: refused by
  // name, nothing reaches the agent.
  const std::string missing = Document(
      R"(, "attachments": [{"name": "a.pdf", "file": "other.pdf"}])");
  auto no_part = client.Post(
      "/v1/documents",
      httplib::MultipartFormDataItems{
          {"document", missing, "", "application/json"},
          {"scan.pdf", pdf, "scan.pdf", "application/pdf"}});
  REQUIRE(no_part);
  CHECK(no_part->status == 400);
  CHECK(Body(no_part)["error"] == "invalid_field");
  auto no_json = client.Post(
      "/v1/documents", httplib::MultipartFormDataItems{
                           {"scan.pdf", pdf, "scan.pdf", "application/pdf"}});
  REQUIRE(no_json);
  CHECK(no_json->status == 400);
  CHECK(Body(no_json)["error"] == "invalid_field");
  CHECK(f.service.submit_calls() == 1);
  // Without multipart, "file" cannot name anything.
  auto plain = f.Post("/v1/documents", document);
  REQUIRE(plain);
  CHECK(plain->status == 400);
  CHECK(f.service.submit_calls() == 1);
}

TEST_CASE("malformed JSON and bad fields are answered 400 naming the field",
          "[front][http]") {
  ApiFixture f;
  struct Case {
    std::string body, error, detail_prefix;
  };
  const std::vector<Case> cases = {
      {"{\"to\": [", "malformed", "not valid JSON"},
      {"\xff\xfe", "malformed", "not valid JSON"},
      {Document(R"(, "priority": 9)"), "invalid_field", "priority:"},
      {Document(
           R"(, "attachments": [{"name": "a.pdf", "data_base64": "%%%"}])"),
       "invalid_field", "attachments[0].data_base64:"},
      {R"({"to": ["000.00.00.H41"], "code": {"number": "1", "notation": "VP"}})",
       "invalid_field", "subject: is required"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    auto res = f.Post("/v1/documents", c.body);
    REQUIRE(res);
    CHECK(res->status == 400);
    const json answer = Body(res);
    CHECK(answer["error"] == c.error);
    CHECK(answer["detail"].get<std::string>().rfind(c.detail_prefix, 0) == 0);
  }
  CHECK(f.service.submit_calls() == 0);
  CHECK(f.service.metrics().Value("docbus_agent_api_refused_total",
                                  "reason=\"invalid_field\"") == 3);

  // The agent's own refusals keep their reason code.
  f.service.RefuseRecipient("000.00.00.H41");
  auto refused = f.Post("/v1/documents", Document());
  REQUIRE(refused->status == 400);
  CHECK(Body(refused)["error"] == "unknown_recipient");
  // A bad id in the path and a bad query parameter.
  CHECK(Body(f.Get("/v1/documents/not-a-message-id"))["detail"]
            .get<std::string>()
            .rfind("message_id:", 0) == 0);
  auto bad_limit = f.Get("/v1/documents?limit=-1");
  CHECK(bad_limit->status == 400);
  CHECK(Body(bad_limit)["detail"].get<std::string>().rfind("limit:", 0) == 0);
  auto no_route = f.Get("/v1/nothing");
  CHECK(no_route->status == 404);
  CHECK(Body(no_route)["error"] == "not_found");
}

TEST_CASE("an attachment uploaded as a raw body is sent by its id; a large "
          "multipart part is streamed to disk", "[front][http]") {
  ApiFixture f(/*max_body=*/1 << 20);
  httplib::Client client(f.api->url());
  client.set_bearer_token_auth(kToken);
  // Larger than the body limit of JSON routes: uploads have their own.
  std::string scan(3 << 20, '\0');
  for (size_t i = 0; i < scan.size(); ++i) scan[i] = static_cast<char>(i * 7);
  auto up = client.Post("/v1/attachments", scan, "application/octet-stream");
  REQUIRE(up);
  REQUIRE(up->status == 201);
  const std::string id = Body(up)["attachment_id"];
  CHECK(id == Hex(crypto::Sha256(scan)));
  CHECK(Body(up)["size"] == scan.size());

  auto sent = f.Post("/v1/documents",
                     Document(R"(, "attachments": [{"name": "scan.bin",
                                 "attachment_id": ")" + id + R"("}])"));
  REQUIRE(sent);
  CHECK(sent->status == 202);
  auto multipart = client.Post(
      "/v1/documents",
      httplib::MultipartFormDataItems{
          {"document",
           Document(R"(, "attachments": [{"name": "b.bin", "file": "b"}])"),
           "", "application/json"},
          {"b", scan, "b.bin", "application/octet-stream"}});
  REQUIRE(multipart);
  CHECK(multipart->status == 202);
  const auto submitted = f.service.Submitted();
  REQUIRE(submitted.size() == 2);
  for (const auto& [message_id, request] : submitted) {
    REQUIRE(request.attachments.size() == 1);
    CHECK(request.attachments[0].uploaded_sha256 == crypto::Sha256(scan));
    CHECK(request.attachments[0].data == scan);
  }

  // An id that is not a SHA-256 in hex is refused by name.
  auto bad = f.Post("/v1/documents",
                    Document(R"(, "attachments": [{"name": "x",
                                 "attachment_id": "ABC"}])"));
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(Body(bad)["detail"].get<std::string>().find(
            "attachments[0].attachment_id") == 0);
  CHECK(f.service.submit_calls() == 2);
}

TEST_CASE("a body over the limit is refused 413 without reaching the agent",
          "[front][http]") {
  ApiFixture f(/*max_body=*/1024);
  auto res = f.Post("/v1/documents", Document(R"(, "content": ")" +
                                              std::string(4096, 'x') + "\""));
  REQUIRE(res);
  CHECK(res->status == 413);
  CHECK(Body(res)["error"] == "too_large");
  CHECK(f.service.submit_calls() == 0);
}

TEST_CASE("sent documents, the inbox and statuses can be read back",
          "[front][http]") {
  ApiFixture f;
  f.service.AnswerSubmissions(/*audit_index=*/41);
  auto sent = f.Post("/v1/documents", Document());
  const std::string id = Body(sent)["message_id"];
  auto view = f.Get("/v1/documents/" + id);
  REQUIRE(view->status == 200);
  json v = Body(view);
  CHECK(v["state"] == "accepted");
  CHECK(v["audit_index"] == 41);
  CHECK(v["receipts"][0]["recipient"] == "000.00.00.H41");
  CHECK(Body(f.Get("/v1/documents?limit=10"))["documents"][0]["message_id"] ==
        id);
  CHECK(f.Get("/v1/documents/" + NewMessageId(RealClock()))->status == 404);

  const std::string incoming_id = NewMessageId(RealClock());
  const std::string data = testing::AllBytes();
  f.service.AddIncoming(
      testing::MakeIncoming(incoming_id, {{"a.pdf", "application/pdf", data}}));
  json list = Body(f.Get("/v1/inbox?after=0&limit=5"));
  REQUIRE(list["documents"].size() == 1);
  CHECK(list["documents"][0]["message_id"] == incoming_id);
  CHECK(list["next_after"] == 1);
  CHECK(Body(f.Get("/v1/inbox?after=1"))["documents"].empty());
  json doc = Body(f.Get("/v1/inbox/" + incoming_id));
  CHECK(doc["header"]["subject"] == "Về việc thử nghiệm");
  CHECK(*Base64Decode(
            doc["attachments"][0]["data_base64"].get<std::string>()) == data);
  auto original = f.service.Incoming(incoming_id);
  CHECK(*Base64Decode(doc["header_base64"].get<std::string>()) ==
        original->header_bytes);
  CHECK(*Base64Decode(doc["signature_base64"].get<std::string>()) ==
        original->signature);

  f.service.AddStatus({NewMessageId(RealClock()), id, "000.00.00.H41",
                       "000.00.00.G22", 3, "Đã vào sổ", 5});
  json statuses = Body(f.Get("/v1/statuses?after=0"));
  REQUIRE(statuses["statuses"].size() == 1);
  CHECK(statuses["statuses"][0]["code"] == 3);
  CHECK(statuses["next_after"] == 1);
}

TEST_CASE("a status report reaches the agent; bad ones are refused",
          "[front][http]") {
  ApiFixture f;
  const std::string id = NewMessageId(RealClock());
  auto res = f.Post("/v1/documents/" + id + "/status",
                    R"({"code": 2, "description": "Gửi nhầm đơn vị"})");
  REQUIRE(res->status == 202);
  CHECK_FALSE(Body(res)["status_id"].get<std::string>().empty());
  auto reports = f.service.Reports();
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].message_id == id);
  CHECK(reports[0].code == v1::STATUS_REFUSED);
  CHECK(reports[0].description == "Gửi nhầm đơn vị");

  auto no_reason = f.Post("/v1/documents/" + id + "/status", R"({"code": 2})");
  CHECK(no_reason->status == 400);
  CHECK(Body(no_reason)["detail"].get<std::string>().rfind("description:", 0) ==
        0);
  CHECK(f.Post("/v1/documents/" + id + "/status", R"({"code": 9})")->status ==
        400);
  CHECK(f.service.Reports().size() == 1);
}

TEST_CASE("the API starts only on loopback and with a token", "[front][http]") {
  FakeAgentService service;
  HttpApiOptions options;
  options.token = kToken;
  options.listen = "0.0.0.0:0";
  CHECK(StartHttpApi(service, options).status().code() ==
        Code::kInvalidArgument);
  options.listen = "127.0.0.1:http";
  CHECK(StartHttpApi(service, options).status().code() ==
        Code::kInvalidArgument);
  options.listen = "127.0.0.1:0";
  options.token.clear();
  CHECK(StartHttpApi(service, options).status().code() ==
        Code::kInvalidArgument);
  options.token = kToken;
  options.listen = "localhost:0";
  auto api = StartHttpApi(service, options);
  REQUIRE(api.ok());
  CHECK((*api)->url().rfind("http://127.0.0.1:", 0) == 0);
}

}  // namespace
}  // namespace docbus::agent

namespace docbus::agent {
namespace {

TEST_CASE("GET /v1/audit says whether the broker's checkpoints are witnessed",
          "[front][http][witness]") {
  FakeAgentService service;
  BrokerAuditStatus audit;
  HttpApiOptions options;
  options.token = kToken;
  options.broker_audit = &audit;
  auto api = StartHttpApi(service, options);
  REQUIRE(api.ok());
  httplib::Client client((*api)->url());
  client.set_bearer_token_auth(kToken);
  audit.Set({true, false, 12, 40});
  auto res = client.Get("/v1/audit");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  json j = json::parse(res->body)["audit"];
  CHECK(j["witness_policy"] == true);
  CHECK(j["witnessed"] == false);
  CHECK(j["witnessed_size"] == 12);
  CHECK(j["newest_size"] == 40);
  audit.Set({true, true, 40, 40});
  CHECK(json::parse(client.Get("/v1/audit")->body)["audit"]["witnessed"] ==
        true);
  client.set_bearer_token_auth("wrong");
  CHECK(client.Get("/v1/audit")->status == 401);
}

}  // namespace
}  // namespace docbus::agent
