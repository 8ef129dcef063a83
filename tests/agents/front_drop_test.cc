// The drop folder, driven through the file system against a fake agent:
// submissions end in sent/ or failed/, and what the agent received appears
// in inbox/ and status/ byte for byte.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "agents/drop_folder.h"
#include "bus/core/ids.h"
#include "bus/crypto/sha256.h"
#include "tests/agents/front_fake_service.h"
#include "tests/temp_dir.h"

namespace docbus::agent {
namespace {

namespace fs = std::filesystem;
using testing::FakeAgentService;
using testing::ReadAll;
using testing::WriteAll;

// Scans only when the test says so (ScanNow), never on a timer.
constexpr auto kNoTimer = std::chrono::hours(1);

struct DropFixture {
  DropFixture() {
    auto started = StartDropFolder(service, root, kNoTimer);
    REQUIRE(started.ok());
    drop = std::move(started).value();
    for (const char* sub : {"outbox", "sent", "failed", "inbox", "status"}) {
      REQUIRE(fs::is_directory(root / sub));
    }
  }

  // Builds a submission beside the outbox and renames it in, as an agency
  // system must.
  void Submit(const std::string& name, const std::string& document_json,
              const std::map<std::string, std::string>& files = {}) {
    const fs::path staging = root / "outbox" / (".staging-" + name);
    fs::create_directories(staging);
    WriteAll(staging / "document.json", document_json);
    for (const auto& [file, data] : files) WriteAll(staging / file, data);
    fs::rename(staging, root / "outbox" / name);
  }

  FakeAgentService service;
  ::docbus::testing::TempDir tmp{"docbus-drop"};
  // Not yet there: StartDropFolder makes it and its sub-folders.
  fs::path root = tmp.path() / "drop";
  // Declared last, so it stops before its folder is removed.
  std::unique_ptr<DropFolder> drop;
};

const char kGoodDocument[] = R"({
  "to": ["000.00.00.H41"], "subject": "Về việc thử nghiệm",
  "code": {"number": "12", "notation": "UBND-VP"},
  "attachments": [{"file": "công văn.pdf", "media_type": "application/pdf"}]})";

TEST_CASE("a good submission is sent and moved to sent/ with its message id",
          "[front][drop]") {
  DropFixture f;
  const std::string pdf = testing::AllBytes();
  f.Submit("cv-001", kGoodDocument, {{"công văn.pdf", pdf}});
  fs::create_directories(f.root / "outbox" / ".being-written");
  REQUIRE(f.drop->ScanNow().ok());

  const auto submitted = f.service.Submitted();
  REQUIRE(submitted.size() == 1);
  CHECK(ReadAll(f.root / "sent" / "cv-001" / "message-id") ==
        submitted[0].first + "\n");
  CHECK(fs::exists(f.root / "sent" / "cv-001" / "công văn.pdf"));
  REQUIRE(submitted[0].second.attachments.size() == 1);
  CHECK(submitted[0].second.attachments[0].name == "công văn.pdf");
  CHECK(submitted[0].second.attachments[0].data == pdf);
  CHECK_FALSE(fs::exists(f.root / "outbox" / "cv-001"));
  // Names starting with '.' are the agency system's work in progress.
  CHECK(fs::exists(f.root / "outbox" / ".being-written"));

  // The same name again lands beside the first, not over it.
  f.Submit("cv-001", kGoodDocument, {{"công văn.pdf", pdf}});
  REQUIRE(f.drop->ScanNow().ok());
  CHECK(fs::exists(f.root / "sent" / "cv-001.1" / "message-id"));
  CHECK(f.service.metrics().Value("docbus_agent_drop_submitted_total") == 2);
}

TEST_CASE("a drop-folder file over 1 MiB is streamed into the outbox files, "
          "not read into memory", "[front][drop]") {
  DropFixture f;
  std::string scan(3 << 20, '\0');
  for (size_t i = 0; i < scan.size(); ++i) scan[i] = static_cast<char>(i * 13);
  f.Submit("cv-large", kGoodDocument, {{"công văn.pdf", scan}});
  REQUIRE(f.drop->ScanNow().ok());
  const auto submitted = f.service.Submitted();
  REQUIRE(submitted.size() == 1);
  REQUIRE(submitted[0].second.attachments.size() == 1);
  const AttachmentInput& a = submitted[0].second.attachments[0];
  CHECK(a.uploaded_sha256 == crypto::Sha256(scan));
  CHECK(a.data == scan);  // the fake reads the upload back
  CHECK(fs::exists(f.root / "sent" / "cv-large" / "message-id"));
}

TEST_CASE("a bad submission is moved to failed/ with its reason",
          "[front][drop]") {
  DropFixture f;
  f.service.RefuseRecipient("000.00.00.H99");
  f.Submit("bad-recipient-id", R"({"to": ["H41"], "subject": "S",
                                   "code": {"number": "1", "notation": "VP"}})");
  f.Submit("missing-file", kGoodDocument);
  f.Submit("escape", R"({"to": ["000.00.00.H41"], "subject": "S",
                         "code": {"number": "1", "notation": "VP"},
                         "attachments": [{"file": "../../etc/passwd"}]})");
  f.Submit("unknown-recipient", R"({"to": ["000.00.00.H99"], "subject": "S",
                                    "code": {"number": "1", "notation": "VP"}})");
  f.Submit("not-json", "{{{");
  fs::create_directories(f.root / "outbox" / "no-document");
  WriteAll(f.root / "outbox" / "stray.pdf", "%PDF");
  REQUIRE(f.drop->ScanNow().ok());

  auto error = [&](const std::string& name) {
    return ReadAll(f.root / "failed" / name / "error.txt");
  };
  CHECK(error("bad-recipient-id").rfind("invalid_field: to[0]: ", 0) == 0);
  CHECK(error("missing-file")
            .rfind("invalid_field: attachments[0].file: no such file", 0) == 0);
  CHECK(error("escape").rfind(
            "invalid_field: attachments[0].file: must name a file inside", 0) ==
        0);
  CHECK(error("unknown-recipient") ==
        "unknown_recipient: to: 000.00.00.H99 is not in the registry\n");
  CHECK(error("not-json").rfind("malformed: ", 0) == 0);
  CHECK(
      error("no-document").rfind("invalid_field: document.json: missing", 0) ==
      0);
  CHECK(error("stray.pdf").rfind("invalid_field: not a submission folder", 0) ==
        0);
  CHECK(ReadAll(f.root / "failed" / "stray.pdf" / "stray.pdf") == "%PDF");
  CHECK(fs::is_empty(f.root / "outbox"));
  CHECK(f.service.Submitted().empty());
  CHECK(f.service.metrics().Value("docbus_agent_drop_failed_total",
                                  "reason=\"invalid_field\"") == 5);
}

TEST_CASE("a submission waits in the outbox while the agent is unavailable",
          "[front][drop]") {
  DropFixture f;
  f.service.FailSubmitWith(Status(Code::kUnavailable, "store busy"));
  f.Submit("later", kGoodDocument, {{"công văn.pdf", "x"}});
  CHECK(f.drop->ScanNow().code() == Code::kUnavailable);
  CHECK(fs::exists(f.root / "outbox" / "later"));
  f.service.FailSubmitWith(Status::Ok());
  REQUIRE(f.drop->ScanNow().ok());
  CHECK(fs::exists(f.root / "sent" / "later" / "message-id"));
  CHECK(f.service.Submitted().size() == 1);
}

TEST_CASE(
    "a submission waits in the outbox while the agent's disk is nearly full, "
    "with one text for every scan so it is logged once",
    "[front][drop]") {
  DropFixture f;
  f.service.FailSubmitWith(
      Status(Code::kResourceExhausted,
             "data folder /x has 10 bytes free, below limits.min_free_bytes "
             "= 20"));
  f.Submit("big", kGoodDocument, {{"công văn.pdf", "x"}});
  const Status first = f.drop->ScanNow();
  CHECK(first.code() == Code::kResourceExhausted);
  f.service.FailSubmitWith(
      Status(Code::kResourceExhausted,
             "data folder /x has 9 bytes free, below limits.min_free_bytes "
             "= 20"));
  CHECK(f.drop->ScanNow().ToString() == first.ToString());
  CHECK(fs::exists(f.root / "outbox" / "big"));
  CHECK_FALSE(fs::exists(f.root / "failed" / "big"));
  f.service.FailSubmitWith(Status::Ok());
  REQUIRE(f.drop->ScanNow().ok());
  CHECK(fs::exists(f.root / "sent" / "big" / "message-id"));
}

TEST_CASE("a submission already given a message id is never sent twice",
          "[front][drop]") {
  DropFixture f;
  // What a crash between Submit and the move to sent/ leaves behind.
  f.Submit("done-before-crash", kGoodDocument,
           {{"message-id", "0190f3a2-...\n"}});
  REQUIRE(f.drop->ScanNow().ok());
  CHECK(f.service.submit_calls() == 0);
  CHECK(ReadAll(f.root / "sent" / "done-before-crash" / "message-id") ==
        "0190f3a2-...\n");
}

TEST_CASE("incoming documents appear in inbox/ byte-identical",
          "[front][drop]") {
  DropFixture f;
  const std::string id = NewMessageId(RealClock());
  const std::string pdf = testing::AllBytes();
  const std::string xml = "<?xml version=\"1.0\"?><a/>";
  f.service.AddIncoming(testing::MakeIncoming(
      id, {{"quyết định.pdf", "application/pdf", pdf},
           {"../../evil.sh", "text/plain", xml},
           {"quyết định.pdf", "application/pdf", "second"}}));
  REQUIRE(f.drop->ScanNow().ok());

  const fs::path dir = f.root / "inbox" / id;
  const IncomingDocument original = *f.service.Incoming(id);
  CHECK(ReadAll(dir / "header.bin") == original.header_bytes);
  CHECK(ReadAll(dir / "signature.der") == original.signature);
  CHECK(ReadAll(dir / "attachments" / "quyết định.pdf") == pdf);
  // Names that are not safe file names, or repeat, get a neutral one.
  CHECK(ReadAll(dir / "attachments" / "attachment-2") == xml);
  CHECK(ReadAll(dir / "attachments" / "attachment-3") == "second");
  CHECK_FALSE(fs::exists(f.root / "evil.sh"));
  const auto header = nlohmann::json::parse(ReadAll(dir / "header.json"));
  CHECK(header["message_id"] == id);
  CHECK(header["from"]["organ_id"] == "000.00.00.H41");
  CHECK(header["attachments"][1]["name"] == "../../evil.sh");
  CHECK(header["attachments"][1]["file"] == "attachments/attachment-2");
  CHECK(fs::is_empty(f.root / ".tmp"));
  CHECK(ReadAll(f.root / ".inbox-cursor") == "1\n");

  // The cursor remembers: a document the agency system already took away is
  // not exported again, and only the new one is.
  fs::remove_all(dir);
  const std::string second = NewMessageId(RealClock());
  f.service.AddIncoming(testing::MakeIncoming(second, {}));
  REQUIRE(f.drop->ScanNow().ok());
  CHECK_FALSE(fs::exists(dir));
  CHECK(fs::exists(f.root / "inbox" / second / "header.bin"));
  CHECK(f.service.metrics().Value("docbus_agent_drop_exported_total",
                                  "kind=\"document\"") == 2);
}

TEST_CASE("received statuses are written to status/ once each",
          "[front][drop]") {
  DropFixture f;
  const std::string doc = NewMessageId(RealClock());
  const std::string s1 = NewMessageId(RealClock());
  f.service.AddStatus(
      {s1, doc, "000.00.00.H41", "000.00.00.G22", 3, "Đã vào sổ", 7});
  REQUIRE(f.drop->ScanNow().ok());
  const auto json =
      nlohmann::json::parse(ReadAll(f.root / "status" / (s1 + ".json")));
  CHECK(json["message_id"] == doc);
  CHECK(json["code"] == 3);
  CHECK(json["description"] == "Đã vào sổ");

  fs::remove(f.root / "status" / (s1 + ".json"));
  const std::string s2 = NewMessageId(RealClock());
  f.service.AddStatus({s2, doc, "000.00.00.H41", "000.00.00.G22", 6, "", 8});
  REQUIRE(f.drop->ScanNow().ok());
  CHECK_FALSE(fs::exists(f.root / "status" / (s1 + ".json")));
  CHECK(fs::exists(f.root / "status" / (s2 + ".json")));
}

TEST_CASE("the drop folder refuses to start where it cannot write",
          "[front][drop]") {
  FakeAgentService service;
  ::docbus::testing::TempDir tmp{"docbus-drop"};
  const fs::path file = tmp.path() / "not-a-folder";
  WriteAll(file, "not a folder");
  auto started = StartDropFolder(service, file / "drop", kNoTimer);
  CHECK(started.status().code() == Code::kIoError);
}

}  // namespace
}  // namespace docbus::agent
