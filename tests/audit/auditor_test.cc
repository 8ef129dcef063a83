// `docbus audit` as an auditor runs it on exported folders: keygen, verify
// (text and JSON, exit codes), replay, trace, prove and diff.
#include "bus/audit/auditor.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bus/audit/checkpoint.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/note_verifier.h"
#include "bus/audit/tlog_proof.h"
#include "tests/audit/log_builder.h"
#include "tests/audit/test_util.h"

namespace docbus::audit {
namespace {

using testing::ReadFile;
using testing::Record;
using testing::StatusRecord;
using testing::TempDir;
using testing::TestLog;
using testing::WriteFile;

const std::string kA = "000.00.00.G22", kB = "000.00.01.H01",
                  kC = "000.00.02.H02";

struct Exported {
  TempDir dir;
  TestLog log;
  std::filesystem::path vkey() {
    auto p = dir.path() / "log.vkey";
    if (!std::filesystem::exists(p)) WriteFile(p, log.verifier_key() + "\n");
    return p;
  }
  std::filesystem::path tiles() { return dir.path() / "tiles"; }
};

TEST_CASE(
    "keygen writes a 0600 signer key and a verifier key that work "
    "together, and never overwrites a key") {
  TempDir dir;
  std::ostringstream out, err;
  auto prefix = dir.path() / "broker-log";
  REQUIRE(RunKeygen("docbus.gov.vn/axis/2026", prefix, out, err) == 0);
  std::string skey = ReadFile(dir.path() / "broker-log.key");
  std::string vkey = ReadFile(dir.path() / "broker-log.vkey");
  struct stat st;
  REQUIRE(stat((dir.path() / "broker-log.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(out.str().find("PRIVATE") == std::string::npos);  // no secret printed
  auto signer = NoteSigner::FromKey(skey);
  auto verifier = NoteVerifier::FromVerifierKey(vkey);
  REQUIRE(signer.ok());
  REQUIRE(verifier.ok());
  CHECK(verifier->Open(signer->Sign("hello\n")).ok());
  CHECK(vkey == signer->verifier_key() + "\n");
  CHECK(out.str().find(signer->verifier_key()) != std::string::npos);
  CHECK(RunKeygen("docbus.gov.vn/axis/2026", prefix, out, err) == 1);
  CHECK(ReadFile(dir.path() / "broker-log.key") == skey);
  CHECK(RunKeygen("bad name", dir.path() / "x", out, err) == 2);
}

TEST_CASE(
    "verify exits 0 on a good log, 1 naming the first bad index and 2 on "
    "usage errors, with the same in --json") {
  Exported e;
  e.log.AddBrokerTraffic(20);
  e.log.Publish(e.tiles());
  VerifyCommand command{e.tiles(), e.vkey(), std::nullopt, false};
  std::ostringstream out, err;
  CHECK(RunVerify(command, out, err) == 0);
  CHECK_THAT(out.str(),
             Catch::StartsWith("ok: docbus.test/axis/2026 size 140"));

  // A dishonest log records a DELIVERED of a document it never accepted.
  e.log.Add(Record(v1::AUDIT_DELIVERED, "ghost", kA, {kB}, 0));
  e.log.Publish(e.tiles());
  std::ostringstream out2, err2;
  command.json = true;
  CHECK(RunVerify(command, out2, err2) == 1);
  auto j = nlohmann::json::parse(out2.str());
  CHECK(j["ok"] == false);
  CHECK(j["first_bad_index"] == 140);
  CHECK_THAT(j["reason"].get<std::string>(), Catch::Contains("ACCEPTED"));

  std::ostringstream out3, err3;
  VerifyCommand missing{e.tiles(), e.dir.path() / "nope.vkey", std::nullopt,
                        false};
  CHECK(RunVerify(missing, out3, err3) == 2);
  VerifyCommand no_dir{e.dir.path() / "nope", e.vkey(), std::nullopt, false};
  CHECK(RunVerify(no_dir, out3, err3) == 2);
}

TEST_CASE(
    "replay and trace show each document's history, found by message "
    "id or edXML DocumentId") {
  Exported e;
  e.log.AddBrokerTraffic(3);
  e.log.Publish(e.tiles());
  std::ostringstream out, err;
  REQUIRE(RunReplay(e.tiles(), true, out, err) == 0);
  auto docs = nlohmann::json::parse(out.str());
  REQUIRE(docs.size() == 3);
  CHECK(docs[1]["message_id"] == "msg-1");
  CHECK(docs[1]["sender"] == kA);
  std::vector<std::string> events;
  for (const auto& ev : docs[1]["events"]) events.push_back(ev["event"]);
  CHECK(events == std::vector<std::string>{"ACCEPTED", "DELIVERED", "NOTIFIED",
                                           "DELIVERED", "NOTIFIED", "STATUS",
                                           "NOTIFIED"});
  CHECK(docs[1]["events"][1]["prior_index"] == 7);

  std::ostringstream text, err2;
  REQUIRE(RunReplay(e.tiles(), false, text, err2) == 0);
  CHECK_THAT(text.str(), Catch::Contains("document msg-2 (" + kA +
                                         ",2026/05/29,2/VPCP) from " + kA));

  std::ostringstream by_doc, err3;
  REQUIRE(RunTrace(e.tiles(), kA + ",2026/05/29,2/VPCP", false, by_doc, err3) ==
          0);
  const std::string lines = by_doc.str();
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 7);
  CHECK_THAT(lines, Catch::StartsWith("#14 "));
  std::ostringstream none, err4;
  CHECK(RunTrace(e.tiles(), "unknown", true, none, err4) == 1);
}

TEST_CASE(
    "replay shows a document's status chain with the reporter's and the "
    "broker's times, and the documents that update or replace it") {
  Exported e;
  const std::string target = kA + ",2026/05/29,1/VPCP";
  v1::AuditRecord original = Record(v1::AUDIT_ACCEPTED, "msg-1", kA, {kB});
  original.set_document_id(target);
  const int64_t accepted = e.log.Add(original);
  v1::AuditRecord status =
      StatusRecord(v1::AUDIT_STATUS, "st-1", "msg-1", kB, kA, accepted + 1);
  status.set_reported_unix_ms(1780000000123);
  const int64_t status_index = e.log.Add(status);
  for (auto [id, type] : {std::pair{"msg-2", v1::BUSINESS_UPDATE},
                          std::pair{"msg-3", v1::BUSINESS_REPLACE}}) {
    v1::AuditRecord acting = Record(v1::AUDIT_ACCEPTED, id, kA, {kB});
    acting.set_document_id(kA + ",2026/05/30," + id + "/VPCP");
    acting.set_business_type(type);
    acting.set_business_target_document_id(target);
    e.log.Add(acting);
  }
  // Another sender's document naming the same target acts on nothing.
  v1::AuditRecord foreign = Record(v1::AUDIT_ACCEPTED, "msg-4", kB, {kA});
  foreign.set_business_type(v1::BUSINESS_UPDATE);
  foreign.set_business_target_document_id(target);
  e.log.Add(foreign);
  e.log.Publish(e.tiles());

  std::ostringstream out, err;
  REQUIRE(RunReplay(e.tiles(), true, out, err) == 0);
  const auto docs = nlohmann::json::parse(out.str());
  REQUIRE(docs.size() == 4);
  const auto& doc = docs[0];
  REQUIRE(doc["statuses"].size() == 1);
  const auto& st = doc["statuses"][0];
  CHECK(st["index"] == status_index);
  CHECK(st["code"] == 3);
  CHECK(st["from"] == kB);
  CHECK(st["to"] == kA);
  CHECK(st["reported_unix_ms"] == 1780000000123);
  CHECK(st["broker_unix_ms"] == doc["events"][1]["time_unix_ms"]);
  std::vector<std::string> acting;
  for (const auto& a : doc["acted_on_by"]) {
    acting.push_back(a["message_id"].get<std::string>() + " " +
                     a["business"].get<std::string>());
  }
  CHECK(acting == std::vector<std::string>{"msg-2 update", "msg-3 replace"});
  CHECK(docs[1]["acts_on"]["business"] == "update");
  CHECK(docs[1]["acts_on"]["document_id"] == target);

  std::ostringstream text, err2;
  REQUIRE(RunReplay(e.tiles(), false, text, err2) == 0);
  CHECK_THAT(text.str(), Catch::Contains("reported 2026-"));
  CHECK_THAT(text.str(), Catch::Contains("updated by msg-2"));
  CHECK_THAT(text.str(), Catch::Contains("replaced by msg-3"));
}

TEST_CASE(
    "prove prints a tlog-proof of the document's ACCEPTED entry that "
    "verifies against the signed checkpoint") {
  Exported e;
  e.log.AddBrokerTraffic(40);
  e.log.Publish(e.tiles());
  std::ostringstream out, err;
  REQUIRE(RunProve(e.tiles(), "msg-33", e.vkey(), out, err) == 0);
  auto proof = ParseTlogProof(out.str());
  REQUIRE(proof.ok());
  CHECK(proof->index == 33 * 7);
  auto checkpoint = VerifyTlogProof(
      out.str(), *e.log.storage().ReadEntry(33 * 7), e.log.verifier());
  REQUIRE(checkpoint.ok());
  CHECK(checkpoint->size == 280);
  // The receipt does not prove another entry.
  CHECK_FALSE(VerifyTlogProof(out.str(), *e.log.storage().ReadEntry(1),
                              e.log.verifier())
                  .ok());
  std::ostringstream none, err2;
  CHECK(RunProve(e.tiles(), "msg-99", e.vkey(), none, err2) == 1);
}

TEST_CASE(
    "diff is empty when the agency's log matches the broker's and "
    "names what one side recorded and the other did not") {
  Exported broker, agency;
  broker.log.AddBrokerTraffic(4);
  auto agency_history = [&](int skip_receipt_doc) {
    for (int d = 0; d < 4; ++d) {
      std::string id = "msg-" + std::to_string(d);
      agency.log.Add(Record(v1::AUDIT_SENT, id, kA, {kB, kC}));
      agency.log.Add(Record(v1::AUDIT_RECEIPT_RECEIVED, id, kB, {kB}));
      if (d != skip_receipt_doc) {
        agency.log.Add(Record(v1::AUDIT_RECEIPT_RECEIVED, id, kC, {kC}));
      }
      agency.log.Add(
          StatusRecord(v1::AUDIT_STATUS_RECEIVED, id + "-s", id, kB, kA));
    }
  };
  broker.log.Publish(broker.tiles());
  SECTION("matching logs") {
    agency_history(-1);
    agency.log.Publish(agency.tiles());
    std::ostringstream out, err;
    CHECK(RunDiff(broker.tiles(), agency.tiles(), kA, false, out, err) == 0);
    CHECK(out.str().empty());
  }
  SECTION(
      "a receipt the agency never recorded, a document the broker never "
      "accepted") {
    agency_history(2);
    agency.log.Add(Record(v1::AUDIT_SENT, "lost", kA, {kB}));
    agency.log.Publish(agency.tiles());
    std::ostringstream out, err;
    CHECK(RunDiff(broker.tiles(), agency.tiles(), kA, true, out, err) == 1);
    auto diff = nlohmann::json::parse(out.str());
    REQUIRE(diff.size() == 2);
    CHECK(diff[0]["only_in"] == "broker");
    CHECK(diff[0]["kind"] == "RECEIPT_RECEIVED/DELIVERED");
    CHECK(diff[0]["key"] == "msg-2 → " + kC);
    CHECK(diff[1]["only_in"] == "agency");
    CHECK(diff[1]["kind"] == "SENT/ACCEPTED");
    CHECK(diff[1]["key"] == "lost");
  }
}

}  // namespace
}  // namespace docbus::audit
