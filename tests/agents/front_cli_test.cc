// The agency commands of the docbus CLI (send, document, inbox,
// report-status), run in-process against a real HTTP API over a fake agent,
// found from a data folder the way a user points at it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>
#include <string>

#include "agents/http_api.h"
#include "bus/core/ids.h"
#include "tests/agents/front_fake_service.h"
#include "tests/temp_dir.h"
#include "tools/agent_commands.h"

namespace docbus {
namespace {

namespace fs = std::filesystem;
using agent::testing::FakeAgentService;
using agent::testing::ReadAll;
using agent::testing::WriteAll;

constexpr char kToken[] = "cli-token-9f8e7d6c5b4a";

// An agent data folder as the daemon leaves it: endpoints.json + api.token.
struct CliFixture {
  CliFixture() {
    agent::HttpApiOptions options;
    options.token = kToken;
    auto started = agent::StartHttpApi(service, options);
    REQUIRE(started.ok());
    api = std::move(started).value();
    WriteAll(dir / "endpoints.json", "{\"http\": \"" + api->url() + "\"}\n");
    WriteAll(dir / "api.token", std::string(kToken) + "\n");
  }

  // Everything the commands printed, to check the token never shows.
  std::string printed() const { return out.str() + err.str(); }

  FakeAgentService service;
  std::unique_ptr<agent::HttpApi> api;
  ::docbus::testing::TempDir tmp{"docbus-cli"};
  fs::path dir = tmp.path();
  std::ostringstream out, err;
};

TEST_CASE("docbus send prints the message id and waits for every receipt",
          "[front][cli]") {
  CliFixture f;
  f.service.AnswerSubmissions(/*audit_index=*/7);
  const std::string pdf = agent::testing::AllBytes();
  WriteAll(f.dir / "cong-van.pdf", pdf);
  agent_cli::SendOptions o;
  o.to = {"000.00.00.H41", "000.00.00.G01"};
  o.subject = "Về việc thử nghiệm";
  o.code = "12/UBND-VP";
  o.priority = 2;
  o.attach = {(f.dir / "cong-van.pdf").string()};
  o.wait_s = 10;
  REQUIRE(agent_cli::Send(f.dir, o, f.out, f.err) == 0);

  const auto submitted = f.service.Submitted();
  REQUIRE(submitted.size() == 1);
  const agent::DocumentRequest& r = submitted[0].second;
  CHECK(r.header.code().code_number() == "12");
  CHECK(r.header.code().code_notation() == "UBND-VP");
  CHECK(r.header.priority() == v1::PRIORITY_VERY_URGENT);
  REQUIRE(r.attachments.size() == 1);
  CHECK(r.attachments[0].name == "cong-van.pdf");
  CHECK(r.attachments[0].media_type == "application/pdf");
  CHECK(r.attachments[0].data == pdf);
  const std::string printed = f.out.str();
  CHECK(printed.rfind(submitted[0].first + "\n", 0) == 0);
  CHECK(printed.find("accepted audit_index=7") != std::string::npos);
  CHECK(printed.find("receipt 000.00.00.H41 ") != std::string::npos);
  CHECK(printed.find("receipt 000.00.00.G01 ") != std::string::npos);
  CHECK(f.printed().find(kToken) == std::string::npos);

  // `docbus document` shows the same state.
  std::ostringstream doc_out;
  REQUIRE(agent_cli::Document(f.dir, submitted[0].first, false, doc_out,
                              f.err) == 0);
  CHECK(doc_out.str().find("state        accepted") != std::string::npos);
  CHECK(doc_out.str().find("audit_index  7") != std::string::npos);
}

TEST_CASE("docbus send exits 1 with the reason when the broker rejects",
          "[front][cli]") {
  CliFixture f;
  f.service.AnswerSubmissions(-1, "bad_signature");
  agent_cli::SendOptions o;
  o.to = {"000.00.00.H41"};
  o.subject = "S";
  o.code = "1/VP";
  o.wait_s = 10;
  CHECK(agent_cli::Send(f.dir, o, f.out, f.err) == 1);
  CHECK(f.err.str().find("rejected: bad_signature") != std::string::npos);

  // Bad input is refused by the agent with the field named.
  std::ostringstream err;
  o.to = {"H41"};
  CHECK(agent_cli::Send(f.dir, o, f.out, err) == 1);
  CHECK(err.str().find("invalid_field: to[0]") != std::string::npos);
  o.code = "12";
  CHECK(agent_cli::Send(f.dir, o, f.out, err) == 2);
}

TEST_CASE("docbus inbox lists, shows and saves documents byte-identical",
          "[front][cli]") {
  CliFixture f;
  const std::string id = NewMessageId(RealClock());
  const std::string data = agent::testing::AllBytes();
  f.service.AddIncoming(
      agent::testing::MakeIncoming(id, {{"qd.pdf", "application/pdf", data}}));

  agent_cli::InboxOptions list;
  REQUIRE(agent_cli::Inbox(f.dir, list, f.out, f.err) == 0);
  CHECK(f.out.str().find(id) != std::string::npos);
  CHECK(f.out.str().find("000.00.00.H41") != std::string::npos);

  agent_cli::InboxOptions show;
  show.show = id;
  show.save_dir = (f.dir / "saved").string();
  std::ostringstream out;
  REQUIRE(agent_cli::Inbox(f.dir, show, out, f.err) == 0);
  CHECK(out.str().find("attachment   qd.pdf (application/pdf, 768 bytes)") !=
        std::string::npos);
  const auto original = f.service.Incoming(id);
  CHECK(ReadAll(f.dir / "saved" / id / "attachments" / "qd.pdf") == data);
  CHECK(ReadAll(f.dir / "saved" / id / "header.bin") == original->header_bytes);
  CHECK(ReadAll(f.dir / "saved" / id / "signature.der") == original->signature);

  agent_cli::InboxOptions missing;
  missing.show = NewMessageId(RealClock());
  std::ostringstream err;
  CHECK(agent_cli::Inbox(f.dir, missing, out, err) == 1);
  CHECK(err.str().find("404") != std::string::npos);
}

TEST_CASE("docbus report-status sends the edXML code", "[front][cli]") {
  CliFixture f;
  const std::string id = NewMessageId(RealClock());
  REQUIRE(agent_cli::ReportStatus(f.dir, id, "03", "Đã vào sổ", "", f.out,
                                  f.err) == 0);
  const auto reports = f.service.Reports();
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].code == v1::STATUS_ACCEPTED);
  CHECK(reports[0].description == "Đã vào sổ");
  CHECK(agent_cli::ReportStatus(f.dir, id, "abc", "", "", f.out, f.err) == 2);
}

TEST_CASE("the CLI fails cleanly with a wrong token or no agent",
          "[front][cli]") {
  CliFixture f;
  WriteAll(f.dir / "api.token", "not-the-token\n");
  agent_cli::InboxOptions list;
  std::ostringstream out, err;
  CHECK(agent_cli::Inbox(f.dir, list, out, err) == 1);
  CHECK(err.str().find("401") != std::string::npos);
  CHECK(err.str().find("not-the-token") == std::string::npos);
  CHECK(agent_cli::Inbox(f.dir / "nowhere", list, out, err) == 1);
  CHECK(err.str().find("endpoints.json") != std::string::npos);
}

}  // namespace
}  // namespace docbus
