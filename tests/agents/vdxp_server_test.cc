// The SDK gateway over real HTTP, driven by the test SDK client, over a fake
// agent and an edXML double: each SDK call's answer, the pull model, and
// refusals that change nothing.
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "agents/vdxp/sdk_server.h"
#include "tests/agents/front_fake_service.h"
#include "tests/agents/vdxp_sdk_client.h"
#include "tests/agents/vdxp_test_support.h"
#include "tests/temp_dir.h"

namespace docbus::agent::vdxp {
namespace {

using nlohmann::json;
using testing::FakeAgentService;
using testing::SdkAnswer;
using testing::SdkClient;

constexpr char kSystem[] = "000.00.00.G22";
constexpr char kSecret[] = "a-secret-shared-with-the-qlvb";

// The edXML bridge's double: the same bytes make the same id; a status
// packet is told apart by its content; "<bad/>" is refused.
class FakePackets final : public EdxmlPackets {
 public:
  Result<EdxmlImported> Import(std::string_view bytes) override {
    std::lock_guard lock(mu_);
    if (bytes == "<bad/>") {
      return Status(Code::kMalformed, "N.MessageHeader.To: missing");
    }
    EdxmlImported imported;
    imported.kind = bytes.find("<edXML:Status") != std::string_view::npos
                        ? "status"
                        : "edoc";
    auto [it, fresh] = ids_.emplace(std::string(bytes),
                                    "id-" + std::to_string(ids_.size() + 1));
    imported.id = it->second;
    imported.duplicate = !fresh;
    return imported;
  }
  Result<std::string> ExportDocument(std::string_view id) override {
    return "<edXML>document " + std::string(id) + "</edXML>";
  }
  Result<std::string> ExportStatus(std::string_view id) override {
    return "<edXML:Status>" + std::string(id) + "</edXML:Status>";
  }
  // The distinct packets imported, by their bytes.
  std::map<std::string, std::string> imported() const {
    std::lock_guard lock(mu_);
    return ids_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> ids_;
};

struct GatewayFixture {
  explicit GatewayFixture(size_t max_body = size_t{8} << 20) {
    queue = testing::MakePullQueue(dir.path() / "vdxp.db", service, clock);
    SdkServerOptions options;
    options.credentials = {kSystem, kSecret};
    options.max_body_bytes = max_body;
    auto started = StartSdkServer(*queue, packets, options);
    REQUIRE(started.ok());
    server = std::move(started).value();
  }

  SdkClient Client() const {
    return SdkClient(server->url(), kSystem, kSecret);
  }

  std::vector<std::string> Listed(const std::string& messagetype = "edoc") {
    SdkAnswer a =
        Client().Call("getReceivedEdocList", {{"messagetype", messagetype}});
    REQUIRE(a.status() == "OK");
    std::vector<std::string> ids;
    for (const json& row : a.body["data"]) {
      ids.push_back(row["docId"].get<std::string>());
    }
    return ids;
  }

  double Refused(const std::string& reason) {
    return service.metrics().Value("docbus_agent_vdxp_refused_total",
                                   Label("reason", reason));
  }

  docbus::testing::TempDir dir;
  FakeAgentService service;
  FakeClock clock;
  FakePackets packets;
  std::unique_ptr<PullQueue> queue;
  std::unique_ptr<SdkServer> server;
};

const std::string kEnvelope =
    "<edXML><edXML:edXMLEnvelope>thư mới</edXML:edXMLEnvelope></edXML>";

TEST_CASE(
    "sendEdoc takes the file_doc part or the SDK's raw upload, and a "
    "retried send answers the same DocId",
    "[vdxp][server]") {
  GatewayFixture f;
  SdkAnswer first = f.Client().SendEdoc(kEnvelope);
  REQUIRE(first.http_status == 200);
  CHECK(first.status() == "OK");
  CHECK(first.error_code() == "0");
  const std::string doc_id = first.body["DocId"].get<std::string>();
  CHECK_FALSE(doc_id.empty());

  SdkAnswer again = f.Client().SendEdocRaw(kEnvelope);
  CHECK(again.status() == "OK");
  CHECK(again.body["DocId"].get<std::string>() == doc_id);
  // The bridge got exactly the envelope both times: one packet.
  CHECK(f.packets.imported() ==
        std::map<std::string, std::string>{{kEnvelope, doc_id}});
}

TEST_CASE(
    "a refused SDK call answers FAIL with ErrorCode and ErrorDesc and "
    "changes nothing",
    "[vdxp][server]") {
  GatewayFixture f;
  f.service.AddIncoming(testing::MakeIncoming("m1", {}));
  SdkClient client = f.Client();
  std::string reason;
  SdkAnswer answer;
  SECTION("wrong secret") {
    client.secret() = "guessed";
    answer = client.SendEdoc(kEnvelope);
    reason = "bad_signature";
  }
  SECTION("wrong systemid") {
    client.system_id() = "000.00.00.H41";
    answer = client.SendEdoc(kEnvelope);
    reason = "not_permitted";
  }
  SECTION("a missing authentication header") {
    httplib::Headers headers = client.Sign(
        {{"docId", "m1"}, {"status", "done"}, {"Content-Type", "x"}});
    headers.erase("XroadVnpt-hash-header");
    answer = client.Send("updateStatus", "POST", headers, "", "text/plain");
    reason = "malformed";
  }
  SECTION("a hash-file of another file") {
    answer = client.SendEdoc(kEnvelope, "edoc",
                             SdkClient::SdkFileHash(kEnvelope + " "));
    reason = "digest_mismatch";
  }
  SECTION("an envelope the bridge refuses") {
    answer = client.SendEdoc("<bad/>");
    reason = "malformed";
  }
  CAPTURE(reason, answer.raw);
  CHECK(answer.http_status >= 400);
  CHECK(answer.status() == "FAIL");
  CHECK(answer.error_code() == reason);
  CHECK_FALSE(answer.body["ErrorDesc"].get<std::string>().empty());
  CHECK(f.Refused(reason) == 1);
  CHECK(f.packets.imported().empty());
  // m1 is still pending.
  CHECK(f.Listed() == std::vector<std::string>{"m1"});
}

TEST_CASE(
    "a received packet is listed, fetched as base64 edXML and "
    "downloaded, until updateStatus done",
    "[vdxp][server]") {
  GatewayFixture f;
  f.service.AddIncoming(testing::MakeIncoming("m1", {}));
  StatusView status;
  status.status_id = "s1";
  status.message_id = "m0";
  status.from = "000.00.00.H41";
  status.to = kSystem;
  status.code = 3;
  f.service.AddStatus(status);
  SdkClient client = f.Client();

  CHECK(f.Listed("edoc") == std::vector<std::string>{"m1"});
  CHECK(f.Listed("status") == std::vector<std::string>{"s1"});
  SdkAnswer count = client.Call("countReceiveEdoc", {}, "GET");
  CHECK(count.body["count"] == 1);
  CHECK(client.Call("countReceiveStatus", {}, "GET").body["count"] == 1);

  SdkAnswer edoc = client.Call("getEdoc", {{"docId", "m1"}});
  REQUIRE(edoc.status() == "OK");
  CHECK(SdkClient::DecodeData(edoc) == "<edXML>document m1</edXML>");
  SdkAnswer status_packet = client.Call("getEdoc", {{"docId", "s1"}});
  CHECK(SdkClient::DecodeData(status_packet) ==
        "<edXML:Status>s1</edXML:Status>");
  SdkAnswer download = client.Call("downloadEdoc", {{"docId", "m1"}}, "GET");
  CHECK(download.raw == "<edXML>document m1</edXML>");

  SdkAnswer fail =
      client.Call("updateStatus", {{"docId", "m1"}, {"status", "fail"}});
  CHECK(fail.status() == "OK");
  CHECK(f.Listed() == std::vector<std::string>{"m1"});
  SdkAnswer done =
      client.Call("updateStatus", {{"docId", "m1"}, {"status", "done"}});
  CHECK(done.status() == "OK");
  CHECK(f.Listed().empty());
  CHECK(client.Call("countReceiveEdoc", {}, "GET").body["count"] == 0);
  // A retried done is fine; going back from done is not.
  CHECK(client.Call("updateStatus", {{"docId", "m1"}, {"status", "done"}})
            .status() == "OK");
  SdkAnswer back =
      client.Call("updateStatus", {{"docId", "m1"}, {"status", "fail"}});
  CHECK(back.status() == "FAIL");
  CHECK(back.error_code() == "invalid_transition");
  CHECK(f.Listed().empty());

  SdkAnswer unknown = client.Call("getEdoc", {{"docId", "nope"}});
  CHECK(unknown.http_status == 404);
  CHECK(unknown.status() == "FAIL");
  SdkAnswer bad_state =
      client.Call("updateStatus", {{"docId", "s1"}, {"status", "finished"}});
  CHECK(bad_state.error_code() == "invalid_field");
  CHECK(f.Listed("status") == std::vector<std::string>{"s1"});
}

TEST_CASE("getSentEdocList answers one row per recipient of a sent document",
          "[vdxp][server]") {
  GatewayFixture f;
  OutgoingView view;
  view.message_id = "out-1";
  view.state = "accepted";
  view.recipients = {"000.00.00.H41", "000.00.00.H14"};
  view.receipts = {{"000.00.00.H41", 1'780'000'000'000, 1'780'000'000'500}};
  StatusView accepted;
  accepted.from = "000.00.00.H41";
  accepted.code = 3;
  view.statuses = {accepted};
  f.service.AddOutgoing(view);
  SdkAnswer sent = f.Client().Call("getSentEdocList", {{"docId", "out-1"}});
  REQUIRE(sent.status() == "OK");
  REQUIRE(sent.body["data"].size() == 2);
  std::map<std::string, json> by_recipient;
  for (const json& row : sent.body["data"]) {
    by_recipient[row["toCode"].get<std::string>()] = row;
  }
  CHECK(by_recipient["000.00.00.H41"]["receiveStatus"] == "received");
  CHECK(by_recipient["000.00.00.H41"]["receiveStatusDesc"] ==
        "edXML status 03");
  CHECK(by_recipient["000.00.00.H14"]["receiveStatus"] == "pending");
  CHECK(by_recipient["000.00.00.H14"]["sendStatus"] == "accepted");
  CHECK(by_recipient["000.00.00.H14"]["senderDocId"] == "out-1");
  CHECK(f.Client().Call("getSentEdocList", {{"docId", "nope"}}).status() ==
        "FAIL");
}

TEST_CASE(
    "an upload over the body limit is refused unread in the SDK's "
    "shape",
    "[vdxp][server]") {
  GatewayFixture f(4096);
  SdkAnswer answer = f.Client().SendEdocRaw(std::string(8192, 'x'));
  CHECK(answer.http_status == 413);
  CHECK(answer.status() == "FAIL");
  CHECK(answer.error_code() == "too_large");
  CHECK(f.Refused("too_large") == 1);
  CHECK(f.packets.imported().empty());
}

}  // namespace
}  // namespace docbus::agent::vdxp
