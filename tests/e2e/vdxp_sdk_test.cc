// A document system built on the national axis SDK, end to end: the test
// SDK client (tests/agents/vdxp_sdk_client.h, written from the reference's
// §10: its own HMAC headers, file_doc upload, base64 getEdoc data) sends an
// edXML envelope through agent G22's SDK endpoint and receives it through
// agent H41's, over a real broker, with the SDK's calls only.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "bus/core/files.h"
#include "tests/agents/vdxp_sdk_client.h"
#include "tests/e2e/e2e_support.h"
#include "tests/temp_dir.h"

namespace docbus::e2e {
namespace {

using agent::testing::SdkAnswer;
using agent::testing::SdkClient;

constexpr auto kWait = std::chrono::seconds(60);

std::string Sample(const std::string& name) {
  auto text = ReadFileLimited(
      std::filesystem::path(DOCBUS_SOURCE_DIR) / "tests/edxml/testdata" / name,
      1 << 24);
  REQUIRE(text.ok());
  return *text;
}

// The text of the first `<edXML:Name>` element.
std::string Element(const std::string& xml, const std::string& name) {
  const std::string open = "<edXML:" + name + ">";
  const size_t at = xml.find(open);
  if (at == std::string::npos) return "";
  const size_t from = at + open.size();
  return xml.substr(from, xml.find('<', from) - from);
}

// Each agency's SDK system: its systemid and secret.
struct SdkSystem {
  std::string agency, system_id, secret;
};

const SdkSystem kSystemA{kG22, "qlvb.g22", "secret-of-the-g22-qlvb"};
const SdkSystem kSystemB{kH41, "vxp.saas.03", "secret-of-the-h41-eoffice"};

// A deployment whose agents G22 and H41 serve the SDK endpoint: their
// configs, written by a first start, get a [vdxp] table, and a deployment
// opened on the folder then starts them with the configs as they are.
struct SdkDeployment {
  SdkDeployment() {
    options.dir = dir.path() / "deployment";
    made = MakeDeployment({kG22, kH41, "000.00.00.H14"}, options);
    REQUIRE(made->StartBroker().ok());
    for (const SdkSystem& s : {kSystemA, kSystemB}) {
      REQUIRE(made->StartAgent(s.agency).ok());
      REQUIRE(made->StopAgent(s.agency).ok());
      const auto secret = made->dir() / ("vdxp-" + s.agency + ".secret");
      REQUIRE(WriteFileAtomically(secret, s.secret + "\n", 0600).ok());
      std::ofstream(made->dir() / ("agent-" + s.agency + ".toml"),
                    std::ios::app)
          << "\n[vdxp]\nlisten = \"127.0.0.1:0\"\nsystem_id = \"" << s.system_id
          << "\"\nsecret_file = \"" << secret.string() << "\"\n";
    }
    local::DeploymentOptions agents_options = options;
    agents_options.agencies = {kG22, kH41};
    agents_options.build_dir = DOCBUS_BINARY_DIR;
    auto opened = local::Deployment::Open(agents_options);
    REQUIRE(opened.ok());
    agents = std::move(opened).value();
    for (const SdkSystem& s : {kSystemA, kSystemB}) {
      REQUIRE(agents->StartAgent(s.agency).ok());
    }
  }

  // The SDK as the agency's system configures it: the endpoint is the
  // "vdxp" URL of the agent's endpoints.json (new after each restart).
  SdkClient Client(const SdkSystem& s) {
    auto text =
        ReadFileLimited(agents->agent_data(s.agency) / "endpoints.json", 4096);
    REQUIRE(text.ok());
    const nlohmann::json endpoints = nlohmann::json::parse(*text);
    REQUIRE(endpoints.contains("vdxp"));
    return SdkClient(endpoints["vdxp"].get<std::string>(), s.system_id,
                     s.secret);
  }

  void RestartAgent(const std::string& agency) {
    REQUIRE(agents->StopAgent(agency).ok());
    REQUIRE(agents->StartAgent(agency).ok());
  }

  docbus::testing::TempDir dir;
  local::DeploymentOptions options;
  std::unique_ptr<local::Deployment> made;    // owns the broker
  std::unique_ptr<local::Deployment> agents;  // owns the SDK agents
};

// The docIds getReceivedEdocList answers (FAIL: the test fails).
std::vector<std::string> Pending(SdkClient& sdk,
                                 const std::string& messagetype = "edoc") {
  SdkAnswer answer =
      sdk.Call("getReceivedEdocList",
               {{"servicetype", "eDoc"}, {"messagetype", messagetype}});
  INFO(answer.raw);
  REQUIRE(answer.status() == "OK");
  std::vector<std::string> ids;
  for (const nlohmann::json& row : answer.body["data"]) {
    ids.push_back(row["docId"].get<std::string>());
  }
  return ids;
}

bool Listed(SdkClient& sdk, const std::string& doc_id,
            const std::string& messagetype = "edoc") {
  const std::vector<std::string> ids = Pending(sdk, messagetype);
  return std::find(ids.begin(), ids.end(), doc_id) != ids.end();
}

void RequireRefused(const SdkAnswer& answer) {
  INFO(answer.raw);
  CHECK(answer.http_status >= 400);
  CHECK(answer.status() == "FAIL");
  CHECK_FALSE(answer.error_code().empty());
  CHECK(answer.error_code() != "0");
  REQUIRE(answer.body.contains("ErrorDesc"));
  CHECK_FALSE(answer.body["ErrorDesc"].get<std::string>().empty());
}

TEST_CASE(
    "an SDK system sends an envelope through one agent and receives it "
    "through another with the SDK's calls only",
    "[e2e][vdxp]") {
  SdkDeployment d;
  SdkClient a = d.Client(kSystemA);
  SdkClient b = d.Client(kSystemB);
  const std::string envelope = Sample("new_two_attachments.edxml");

  // sendEdoc, then the same envelope again as the SDK retries it after a
  // dropped answer (its raw upload this time): one document, one DocId.
  SdkAnswer sent = a.SendEdoc(envelope);
  INFO(sent.raw);
  REQUIRE(sent.status() == "OK");
  CHECK(sent.error_code() == "0");
  const std::string doc_id = sent.body["DocId"].get<std::string>();
  REQUIRE_FALSE(doc_id.empty());
  SdkAnswer retried = a.SendEdocRaw(envelope);
  CHECK(retried.status() == "OK");
  CHECK(retried.body["DocId"].get<std::string>() == doc_id);

  // A native document sent after the retry: once it is in H41's inbox,
  // anything the retry had made would have been sent before it.
  std::string marker_bytes;
  auto marker =
      d.agents->Send(kG22, MakeDocument({kH41}, 9001, 64, &marker_bytes));
  REQUIRE(marker.ok());
  REQUIRE(local::Deployment::WaitUntil(
      [&] { return InboxCounts(*d.agents, kH41).contains(*marker); }, kWait));
  const std::map<std::string, int> inbox = InboxCounts(*d.agents, kH41);
  CHECK(inbox.size() == 2);
  CHECK(inbox.at(doc_id) == 1);

  // The recipient's system pulls it.
  REQUIRE(Listed(b, doc_id));
  SdkAnswer count = b.Call("countReceiveEdoc", {}, "GET");
  CHECK(count.body["count"] == 2);  // the envelope and the marker
  SdkAnswer fetched = b.Call("getEdoc", {{"docId", doc_id}});
  REQUIRE(fetched.status() == "OK");
  const std::string edxml = SdkClient::DecodeData(fetched);
  CHECK(Element(edxml, "DocumentId") == Element(envelope, "DocumentId"));
  CHECK(Element(edxml, "Subject") == Element(envelope, "Subject"));
  CHECK(Element(edxml, "ContentTransferEncoded") ==
        Element(envelope, "ContentTransferEncoded"));
  SdkAnswer downloaded = b.Call("downloadEdoc", {{"docId", doc_id}}, "GET");
  CHECK(downloaded.http_status == 200);
  CHECK(downloaded.raw == edxml);

  // The sender's system sees it delivered to H41.
  SdkAnswer sent_list = a.Call("getSentEdocList", {{"docId", doc_id}});
  REQUIRE(sent_list.status() == "OK");
  bool h41_row = false;
  for (const nlohmann::json& row : sent_list.body["data"]) {
    if (row["toCode"] == kH41) {
      h41_row = true;
      CHECK(row["senderDocId"] == doc_id);
    }
  }
  CHECK(h41_row);

  // Pending across a restart of the recipient's agent.
  d.RestartAgent(kH41);
  b = d.Client(kSystemB);
  CHECK(Listed(b, doc_id));

  // fail puts it back.
  SdkAnswer failed =
      b.Call("updateStatus", {{"docId", doc_id}, {"status", "fail"}});
  CHECK(failed.status() == "OK");
  CHECK(Listed(b, doc_id));

  // Refusals, each changing nothing: the packet stays listed.
  SECTION("a wrong HMAC, a wrong systemid or a missing header") {
    SdkClient wrong_secret = b;
    wrong_secret.secret() = "not-the-secret";
    RequireRefused(wrong_secret.Call("updateStatus",
                                     {{"docId", doc_id}, {"status", "done"}}));
    SdkClient wrong_system = b;
    wrong_system.system_id() = kSystemA.system_id;
    RequireRefused(wrong_system.Call("updateStatus",
                                     {{"docId", doc_id}, {"status", "done"}}));
    httplib::Headers headers = b.Sign({{"docId", doc_id},
                                       {"status", "done"},
                                       {"Content-Type", "application/json"}});
    headers.erase("XroadVnpt-sign-header");
    RequireRefused(
        b.Send("updateStatus", "POST", headers, "", "application/json"));
    CHECK(Listed(b, doc_id));
    // A send with a wrong HMAC makes no document either.
    SdkClient wrong_sender = a;
    wrong_sender.secret() = "guessed";
    RequireRefused(wrong_sender.SendEdoc(Sample("update.edxml")));
    SdkAnswer outgoing = a.Call("getSentEdocList", {});
    REQUIRE(outgoing.status() == "OK");
    for (const nlohmann::json& row : outgoing.body["data"]) {
      const std::string sender_doc_id = row["senderDocId"];
      CHECK((sender_doc_id == doc_id || sender_doc_id == *marker));
    }
  }

  // done: never listed again, across a restart too.
  SdkAnswer done =
      b.Call("updateStatus", {{"docId", doc_id}, {"status", "done"}});
  CHECK(done.status() == "OK");
  CHECK_FALSE(Listed(b, doc_id));
  d.RestartAgent(kH41);
  b = d.Client(kSystemB);
  CHECK_FALSE(Listed(b, doc_id));
  CHECK(b.Call("countReceiveEdoc", {}, "GET").body["count"] == 1);

  // A status is a packet too: H41's system accepts the document (03) with
  // sendEdoc messagetype=status, and G22's system pulls it.
  SdkAnswer status_sent =
      b.SendEdoc(Sample("status_acceptance_03.edxml"), "status");
  INFO(status_sent.raw);
  REQUIRE(status_sent.status() == "OK");
  const std::string status_id = status_sent.body["DocId"].get<std::string>();
  REQUIRE(local::Deployment::WaitUntil(
      [&] { return Listed(a, status_id, "status"); }, kWait));
  SdkAnswer status_packet = a.Call("getEdoc", {{"docId", status_id}});
  REQUIRE(status_packet.status() == "OK");
  CHECK(Element(SdkClient::DecodeData(status_packet), "StatusCode") == "03");
  CHECK(a.Call("updateStatus", {{"docId", status_id}, {"status", "done"}})
            .status() == "OK");
  CHECK_FALSE(Listed(a, status_id, "status"));
}

}  // namespace
}  // namespace docbus::e2e
