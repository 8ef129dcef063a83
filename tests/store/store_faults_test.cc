// The promises the broker makes on top of its store's transactions, checked
// through FaultyBrokerStore on every backend: a turn whose commit (or one of
// whose writes) fails leaves nothing behind, loses nothing committed
// before, and the next turn commits normally.
#include <catch2/catch.hpp>
#include <string>

#include "bus/audit/audit_log.h"
#include "bus/store/faulty_broker_store.h"
#include "tests/store/store_backends.h"
#include "tests/store/store_records.h"

namespace docbus::store {
namespace {

const std::string kRecipient = "000.00.01.H01";

// One broker turn: a document, its delivery and its audit entry.
Status Turn(BrokerStore& store, audit::AuditLog& log,
            const std::string& message_id) {
  DOCBUS_RETURN_IF_ERROR(store.Begin());
  DocumentRecord doc = MakeDocument(message_id);
  Status s = store.InsertDocument(doc);
  DeliveryRecord d = MakeDelivery(kRecipient, 2, doc.id);
  if (s.ok()) s = store.InsertDelivery(d);
  if (s.ok()) s = log.Append(Record(message_id)).status();
  if (s.ok()) s = store.Commit();
  if (!s.ok()) {
    (void)store.Rollback();
    log.Reload();
  }
  return s;
}

// What a reopened store holds: the committed turn, never the failed one.
template <typename Backend>
void CheckOnlyCommitted(Backend& backend) {
  auto store = backend.Open();
  CHECK(store->FindDocument("000.00.00.G22", "m-1")->has_value());
  CHECK(store->FindDocument("000.00.00.G22", "m-3")->has_value());
  CHECK_FALSE(store->FindDocument("000.00.00.G22", "m-2")->has_value());
  CHECK(store->audit_storage().Size().value() == 2);
  CHECK(store->QueueDepths()->at(kRecipient) == 2);
}

TEMPLATE_TEST_CASE(
    "a turn whose commit fails leaves nothing, loses nothing, and the next "
    "turn commits",
    "[store][faults]", Sqlite, PostgreSQL) {
  TestType backend;
  {
    FaultyBrokerStore store(backend.Open());
    audit::AuditLog log(store.audit_storage(), "docbus.test/log");
    REQUIRE(Turn(store, log, "m-1").ok());
    store.FailNextCommit();
    CHECK_FALSE(Turn(store, log, "m-2").ok());
    CHECK_FALSE(store.FindDocument("000.00.00.G22", "m-2")->has_value());
    CHECK(store.audit_storage().Size().value() == 1);
    REQUIRE(Turn(store, log, "m-3").ok());
  }
  CheckOnlyCommitted(backend);
}

TEMPLATE_TEST_CASE(
    "a turn whose write fails leaves nothing, loses nothing, and the next "
    "turn commits",
    "[store][faults]", Sqlite, PostgreSQL) {
  TestType backend;
  const int failing_write = GENERATE(1, 2, 3);  // document, delivery, audit
  {
    FaultyBrokerStore store(backend.Open());
    audit::AuditLog log(store.audit_storage(), "docbus.test/log");
    REQUIRE(Turn(store, log, "m-1").ok());
    store.FailNthWrite(failing_write);
    CHECK(Turn(store, log, "m-2").code() == Code::kIoError);
    REQUIRE(Turn(store, log, "m-3").ok());
  }
  CheckOnlyCommitted(backend);
}

}  // namespace
}  // namespace docbus::store
