// What the document lifecycle needs from the store, on every backend: the
// statuses of one (document, recipient) in acceptance order with both times
// (a 13 addressed to the recipient, the others reported by it), and a
// document found by its edXML DocumentId, its sender's own first. And on
// SQLite, a database of the first schema is migrated at open, its rows kept.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>

#include "bus/store/broker_store.h"
#include "bus/store/sqlite_broker_schema.h"
#include "tests/store/store_backends.h"
#include "tests/store/store_records.h"

namespace docbus::store {
namespace {

const std::string kG22 = "000.00.00.G22";
const std::string kH01 = "000.00.01.H01";
const std::string kH02 = "000.00.02.H02";

StatusRecord Status(const std::string& id, int64_t document,
                    const std::string& reporter, const std::string& addressee,
                    int32_t code, int64_t audit_index) {
  return StatusRecord{id,
                      "m-1",
                      document,
                      reporter,
                      addressee,
                      code,
                      std::string(32, 's'),
                      audit_index,
                      100 + audit_index,
                      1000 + audit_index};
}

std::vector<std::string> IdsOf(const std::vector<StatusRecord>& rows) {
  std::vector<std::string> out;
  for (const StatusRecord& r : rows) out.push_back(r.status_id);
  return out;
}

TEMPLATE_TEST_CASE(
    "statuses are read per (document, recipient) in the order "
    "accepted, with the reporter's and the broker's time",
    "[store]", Sqlite, PostgreSQL) {
  TestType backend;
  auto store = backend.Open();
  DocumentRecord doc = BeginWithDocument(*store, "m-1");
  // Inserted out of audit order: the list follows the audit index.
  for (const StatusRecord& s : {Status("s-3", doc.id, kG22, kH01, 13, 30),
                                Status("s-1", doc.id, kH01, kG22, 3, 10),
                                Status("s-2", doc.id, kH02, kG22, 3, 20),
                                Status("s-4", doc.id, kH01, kG22, 16, 40),
                                Status("s-5", doc.id, kG22, kH02, 13, 50)}) {
    REQUIRE(store->InsertStatus(s).ok());
  }
  REQUIRE(store->Commit().ok());

  auto h01 = store->ListStatuses(doc.id, kH01);
  REQUIRE(h01.ok());
  CHECK(IdsOf(*h01) == std::vector<std::string>{"s-1", "s-3", "s-4"});
  REQUIRE(h01->size() == 3);
  CHECK((*h01)[1].code == 13);
  CHECK((*h01)[1].created_unix_ms == 130);
  CHECK((*h01)[1].accepted_unix_ms == 1030);
  auto h02 = store->ListStatuses(doc.id, kH02);
  REQUIRE(h02.ok());
  CHECK(IdsOf(*h02) == std::vector<std::string>{"s-2", "s-5"});
  auto none = store->ListStatuses(doc.id, kG22);
  REQUIRE(none.ok());
  CHECK(none->empty());
  auto found = store->FindStatus("s-4");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->created_unix_ms == 140);
  CHECK((*found)->accepted_unix_ms == 1040);
}

TEMPLATE_TEST_CASE(
    "a document is found by its DocumentId, its sender's own "
    "first and the earliest of them",
    "[store]", Sqlite, PostgreSQL) {
  TestType backend;
  auto store = backend.Open();
  REQUIRE(store->Begin().ok());
  const std::string shared = "000.00.00.G22,2026/01/05,12/VPCP-TH";
  for (auto [sender, message] :
       {std::pair{kH01, "other"}, std::pair{kG22, "first"},
        std::pair{kG22, "second"}}) {
    DocumentRecord d = MakeDocument(message);
    d.sender = sender;
    d.document_id = shared;
    REQUIRE(store->InsertDocument(d).ok());
  }
  REQUIRE(store->Commit().ok());

  auto own = store->FindDocumentByDocumentId(kG22, shared);
  REQUIRE(own.ok());
  REQUIRE(own->has_value());
  CHECK((*own)->message_id == "first");
  // Without one of its own, another sender's: "not yours", not "none".
  auto theirs = store->FindDocumentByDocumentId(kH02, shared);
  REQUIRE(theirs.ok());
  REQUIRE(theirs->has_value());
  CHECK((*theirs)->sender == kH01);
  auto missing = store->FindDocumentByDocumentId(kG22, shared + "x");
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
}

TEST_CASE(
    "a SQLite store of the first schema is migrated at open and keeps "
    "its statuses",
    "[store]") {
  docbus::testing::TempDir dir;
  {
    // A broker.db as the first schema made it (user_version 0).
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir.path() / "broker.db").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, schema::kTables, nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    REQUIRE(
        sqlite3_exec(db,
                     "INSERT INTO statuses(status_id, message_id, document, "
                     "reporter, addressee, code, body_sha256, audit_index) "
                     "VALUES('old', 'm-0', 1, 'a', 'b', 3, x'00', 4)",
                     nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = OpenSqliteBrokerStore(dir.path());
  REQUIRE(store.ok());
  auto old = (*store)->FindStatus("old");
  REQUIRE(old.ok());
  REQUIRE(old->has_value());
  CHECK((*old)->code == 3);
  CHECK((*old)->created_unix_ms == 0);
  auto listed = (*store)->ListStatuses(1, "a");
  REQUIRE(listed.ok());
  CHECK(IdsOf(*listed) == std::vector<std::string>{"old"});
  store->reset();
  // Opening again applies nothing twice.
  auto again = OpenSqliteBrokerStore(dir.path());
  REQUIRE(again.ok());
}

}  // namespace
}  // namespace docbus::store
