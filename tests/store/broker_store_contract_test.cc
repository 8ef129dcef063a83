// The BrokerStore contract, run on every backend: each TEST_CASE here is a
// template over the backends of tests/store/store_backends.h, so its ctest
// name ends in "- Sqlite" or "- PostgreSQL".
#include <catch2/catch.hpp>
#include <string>

#include "bus/audit/audit_log.h"
#include "bus/store/broker_store.h"
#include "tests/store/store_backends.h"
#include "tests/store/store_records.h"

namespace docbus::store {
namespace {

TEMPLATE_TEST_CASE("a committed batch survives closing and reopening the store",
                   "[store]", Sqlite, PostgreSQL) {
  TestType backend;
  int64_t doc_id = 0;
  int64_t delivery_id = 0;
  {
    auto store = backend.Open();
    DocumentRecord doc = BeginWithDocument(*store, "m-1");
    doc_id = doc.id;
    REQUIRE(store->PutAttachment(std::string(32, 'a'), std::string("\0\1\2", 3))
                .ok());
    DeliveryRecord d = MakeDelivery("000.00.01.H01", 3, doc_id);
    REQUIRE(store->InsertDelivery(d).ok());
    delivery_id = d.delivery_id;
    StatusRecord status{"s-1",
                        "m-1",
                        doc_id,
                        "000.00.01.H01",
                        "000.00.00.G22",
                        3,
                        std::string(32, 's'),
                        9};
    REQUIRE(store->InsertStatus(status).ok());
    audit::AuditLog log(store->audit_storage(), "docbus.test/log");
    REQUIRE(log.Append(Record("m-1")).ok());
    REQUIRE(store->SaveCheckpoint(1, "note\n").ok());
    REQUIRE(store->Commit().ok());
  }
  auto store = backend.Open();
  auto found = store->FindDocument("000.00.00.G22", "m-1");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  const DocumentRecord want = MakeDocument("m-1");
  CHECK((*found)->id == doc_id);
  CHECK((*found)->header == want.header);
  CHECK((*found)->signature == want.signature);
  CHECK((*found)->attachment_sha256 == want.attachment_sha256);
  CHECK((*found)->recipients == want.recipients);
  CHECK((*found)->priority == 3);
  CHECK((*found)->audit_index == 7);
  auto attachment = store->GetAttachment(std::string(32, 'a'));
  REQUIRE(attachment.ok());
  CHECK(*attachment == std::string("\0\1\2", 3));
  auto delivery = store->GetDelivery(delivery_id);
  REQUIRE(delivery.ok());
  REQUIRE(delivery->has_value());
  CHECK((*delivery)->recipient == "000.00.01.H01");
  CHECK((*delivery)->state == DeliveryState::kQueued);
  auto status = store->FindStatus("s-1");
  REQUIRE(status.ok());
  REQUIRE(status->has_value());
  CHECK((*status)->addressee == "000.00.00.G22");
  CHECK(store->audit_storage().Size().value() == 1);
  auto checkpoint = store->LatestCheckpoint();
  REQUIRE(checkpoint.ok());
  CHECK(checkpoint->value_or("") == "note\n");
}

TEMPLATE_TEST_CASE(
    "a rolled-back batch leaves no document, delivery or audit entry",
    "[store]", Sqlite, PostgreSQL) {
  TestType backend;
  auto store = backend.Open();
  DocumentRecord doc = BeginWithDocument(*store, "m-rolled-back");
  DeliveryRecord d = MakeDelivery("000.00.01.H01", 0, doc.id);
  REQUIRE(store->InsertDelivery(d).ok());
  REQUIRE(store->PutAttachment(std::string(32, 'z'), "bytes").ok());
  audit::AuditLog log(store->audit_storage(), "docbus.test/log");
  REQUIRE(log.Append(Record("m-rolled-back")).ok());
  REQUIRE(store->Rollback().ok());

  CHECK_FALSE(
      store->FindDocument("000.00.00.G22", "m-rolled-back")->has_value());
  CHECK_FALSE(store->GetDelivery(d.delivery_id)->has_value());
  CHECK(store->GetAttachment(std::string(32, 'z')).status().code() ==
        Code::kNotFound);
  CHECK(store->audit_storage().Size().value() == 0);
  CHECK(store->QueueDepths()->empty());
  // The store is usable again after a rollback.
  REQUIRE(store->Begin().ok());
  REQUIRE(store->InsertDocument(doc).ok());
  REQUIRE(store->Commit().ok());
  CHECK(store->FindDocument("000.00.00.G22", "m-rolled-back")->has_value());
}

// A large attachment arrives a chunk at a time: a repeated chunk or one that
// would leave a gap changes nothing, and once adopted it reads back whole and
// from any offset, across the chunks.
TEMPLATE_TEST_CASE(
    "an upload held in chunks reads back whole and from any offset", "[store]",
    Sqlite, PostgreSQL) {
  TestType backend;
  auto store = backend.Open();
  const UploadKey key{"000.00.00.G22", "0190f3a2-7c1e-7abc-9def-0123456789ab",
                      0};
  std::string data;
  for (int i = 0; i < 2500; ++i) data += "chunk" + std::to_string(i) + ";";
  const uint64_t size = data.size();
  const int64_t now = 1'780'000'000'000;
  REQUIRE(store->Begin().ok());
  CHECK(store->AppendUpload(key, size, 0, data.substr(0, 5000), now).value() ==
        5000);
  CHECK(store->AppendUpload(key, size, 0, data.substr(0, 5000), now).value() ==
        5000);  // again: held already
  CHECK(store->AppendUpload(key, size, 9000, data.substr(9000, 10), now)
            .value() == 5000);  // a gap: not kept
  CHECK(store->AppendUpload(key, size, 5000, data.substr(5000), now).value() ==
        size);
  CHECK(store->AppendUpload(key, size + 1, 0, "x", now).status().code() ==
        Code::kInvalidField);
  const std::string digest(32, 'u');
  REQUIRE(store->AdoptUpload(key, digest).ok());
  REQUIRE(store->Commit().ok());

  CHECK(store->GetAttachment(digest).value() == data);
  std::string read;
  while (read.size() < size) {
    auto piece = store->ReadAttachment(digest, read.size(), 3000);
    REQUIRE(piece.ok());
    REQUIRE_FALSE(piece->empty());
    CHECK(piece->size() <= 3000);
    read += *piece;
  }
  CHECK(read == data);
  CHECK(store->ReadAttachment(digest, 4990, 20).value() ==
        data.substr(4990, 10));  // up to the end of the first chunk
  CHECK(store->ReadAttachment(digest, size, 10).value().empty());
  CHECK(store->ReadAttachment(digest, size + 1, 10).status().code() ==
        Code::kInvalidField);
}

TEMPLATE_TEST_CASE("a queue is read in priority order, a page at a time",
                   "[store]", Sqlite, PostgreSQL) {
  TestType backend;
  auto store = backend.Open();
  DocumentRecord doc = BeginWithDocument(*store, "m-q");
  const int priorities[] = {0, 3, 1, 4, 3, 0, 2};
  std::vector<int64_t> ids;
  for (int p : priorities) {
    DeliveryRecord d = MakeDelivery("000.00.01.H01", p, doc.id);
    REQUIRE(store->InsertDelivery(d).ok());
    ids.push_back(d.delivery_id);
  }
  DeliveryRecord other = MakeDelivery("000.00.02.H02", 4, doc.id);
  REQUIRE(store->InsertDelivery(other).ok());
  REQUIRE(store->Commit().ok());

  // Expected order: priority 4, 3 (older first), 3, 2, 1, 0, 0.
  const std::vector<int64_t> want = {ids[3], ids[1], ids[4], ids[6],
                                     ids[2], ids[0], ids[5]};
  std::vector<int64_t> got;
  QueueCursor cursor;
  while (true) {
    auto page = store->NextQueued("000.00.01.H01", cursor, 3);
    REQUIRE(page.ok());
    CHECK(page->size() <= 3);
    if (page->empty()) break;
    for (const QueuedDelivery& q : *page) got.push_back(q.delivery_id);
    cursor = QueueCursor{page->back().priority, page->back().delivery_id};
  }
  CHECK(got == want);

  // A finished delivery leaves the queue; depths count only queued ones.
  REQUIRE(store->SetDeliveryState(ids[3], DeliveryState::kDone, 1).ok());
  auto first = store->NextQueued("000.00.01.H01", QueueCursor{}, 1);
  REQUIRE(first.ok());
  REQUIRE(first->size() == 1);
  CHECK(first->front().delivery_id == ids[1]);
  auto depths = store->QueueDepths();
  REQUIRE(depths.ok());
  CHECK(depths->at("000.00.01.H01") == 6);
  CHECK(depths->at("000.00.02.H02") == 1);
  CHECK(store->SetDeliveryState(999999, DeliveryState::kDone, 1).code() ==
        Code::kNotFound);
}

TEMPLATE_TEST_CASE(
    "a resubmission is found by sender and message id, not by id alone",
    "[store]", Sqlite, PostgreSQL) {
  TestType backend;
  auto store = backend.Open();
  DocumentRecord doc = BeginWithDocument(*store, "m-dedup");
  DocumentRecord again = MakeDocument("m-dedup");
  CHECK(store->InsertDocument(again).code() == Code::kAlreadyExists);
  REQUIRE(store->Commit().ok());

  CHECK(store->FindDocument("000.00.00.G22", "m-dedup")->has_value());
  CHECK_FALSE(store->FindDocument("000.00.01.H01", "m-dedup")->has_value());
  CHECK_FALSE(store->FindDocument("000.00.00.G22", "m-other")->has_value());
  CHECK_FALSE(store->FindStatus("s-none")->has_value());
}

TEMPLATE_TEST_CASE(
    "expiry finds queued documents past their deadline, oldest first",
    "[store]", Sqlite, PostgreSQL) {
  TestType backend;
  auto store = backend.Open();
  DocumentRecord doc = BeginWithDocument(*store, "m-exp");
  DeliveryRecord late = MakeDelivery("000.00.01.H01", 0, doc.id, 2000);
  DeliveryRecord early = MakeDelivery("000.00.02.H02", 0, doc.id, 1000);
  DeliveryRecord future = MakeDelivery("000.00.03.H03", 0, doc.id, 9000);
  DeliveryRecord notice = MakeDelivery("000.00.00.G22", 0, doc.id, 0);
  notice.kind = DeliveryKind::kReceipt;
  for (DeliveryRecord* d : {&late, &early, &future, &notice}) {
    REQUIRE(store->InsertDelivery(*d).ok());
  }
  REQUIRE(store->Commit().ok());
  auto due = store->DueForExpiry(5000, 10);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 2);
  CHECK((*due)[0].delivery_id == early.delivery_id);
  CHECK((*due)[1].delivery_id == late.delivery_id);
  auto oldest = store->OldestQueuedUnixMillis("000.00.01.H01");
  REQUIRE(oldest.ok());
  CHECK(oldest->value_or(0) == 1'780'000'000'000);
  CHECK_FALSE(store->OldestQueuedUnixMillis("000.00.09.H09")->has_value());
}

}  // namespace
}  // namespace docbus::store
