// Which broker may write a shared PostgreSQL store: the lease and its fence.
// One holder at a time; a standby takes the lease once the holder's session
// ends; a store opened under an epoch that has moved on refuses every
// transaction, and a takeover waits for the old holder's open turn to end
// rather than interleave with it.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "bus/store/postgres/pg_broker_store.h"
#include "bus/store/postgres/pg_leader_lease.h"
#include "tests/store/store_backends.h"
#include "tests/store/store_records.h"

namespace docbus::store {
namespace {

std::unique_ptr<pg::PgLeaderLease> Lease(const PostgreSQL& backend,
                                         const std::string& name) {
  auto lease = pg::PgLeaderLease::Create(pg::LeaseOptions{
      .dsn = backend.dsn, .holder = name, .lease_ms = 1000});
  REQUIRE(lease.ok());
  return std::move(lease).value();
}

// Takes a lease that nobody else holds. As a standby does, it asks again
// for up to three lease periods: on a loaded machine a first attempt whose
// answer came late may leave a server session holding the lock until the
// server ends it (idle_session_timeout = lease_ms), and then it is free.
int64_t Acquire(pg::PgLeaderLease& lease) {
  for (int attempt = 0;; ++attempt) {
    auto epoch = lease.TryAcquire();
    INFO(epoch.status().ToString());
    REQUIRE(epoch.ok());
    if (epoch->has_value()) return **epoch;
    REQUIRE(attempt < 60);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::unique_ptr<BrokerStore> FencedStore(PostgreSQL& backend, int64_t epoch) {
  PostgresOptions o = backend.Options();
  o.fence_epoch = epoch;
  o.lease_ms = 1000;
  auto store = OpenPostgresBrokerStore(o);
  REQUIRE(store.ok());
  return std::move(store).value();
}

int64_t Documents(PostgreSQL& backend) {
  auto n = backend.cluster->QueryInt(
      docbus::testing::PgCluster::DatabaseOf(backend.dsn),
      "SELECT count(*) FROM documents");
  REQUIRE(n.ok());
  return *n;
}

TEST_CASE(
    "one broker holds the lease at a time; a standby takes it when the "
    "holder lets go, with a higher epoch on PostgreSQL",
    "[store][lease]") {
  PostgreSQL backend;
  auto a = Lease(backend, "broker-a");
  auto b = Lease(backend, "broker-b");
  const int64_t first = Acquire(*a);
  CHECK(a->held());

  auto refused = b->TryAcquire();
  REQUIRE(refused.ok());
  CHECK_FALSE(refused->has_value());
  CHECK_FALSE(b->held());
  CHECK(b->holder() == "broker-a");

  a->Release();
  CHECK_FALSE(a->held());
  CHECK(Acquire(*b) > first);
  CHECK(b->holder() == "broker-b");
}

TEST_CASE(
    "after a takeover the old holder's store refuses every transaction and "
    "keeps nothing on PostgreSQL",
    "[store][lease]") {
  PostgreSQL backend;
  auto a = Lease(backend, "broker-a");
  const int64_t epoch_a = Acquire(*a);
  auto old_store = FencedStore(backend, epoch_a);
  REQUIRE(old_store->Begin().ok());
  DocumentRecord before = MakeDocument("before");
  REQUIRE(old_store->InsertDocument(before).ok());
  REQUIRE(old_store->Commit().ok());

  // The holder's session ends (its process died, or the server ended it
  // for silence): the standby takes over.
  REQUIRE(backend.cluster->TerminateBackend(a->backend_pid()).ok());
  auto b = Lease(backend, "broker-b");
  const int64_t epoch_b = Acquire(*b);
  CHECK(epoch_b > epoch_a);
  // Its heartbeat finds the session gone.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (a->held() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK_FALSE(a->held());

  Status s = old_store->Begin();
  CHECK(s.code() == Code::kFenced);
  CHECK(s.message().find(std::to_string(epoch_b)) != std::string::npos);
  // And it stays refused: nothing it does reaches the database.
  CHECK(old_store->Begin().code() == Code::kFenced);
  auto new_store = FencedStore(backend, epoch_b);
  REQUIRE(new_store->Begin().ok());
  DocumentRecord after = MakeDocument("after");
  REQUIRE(new_store->InsertDocument(after).ok());
  REQUIRE(new_store->Commit().ok());
  CHECK(Documents(backend) == 2);
}

TEST_CASE(
    "a takeover waits for the old holder's open turn, which commits before "
    "the new epoch and is the old holder's last on PostgreSQL",
    "[store][lease]") {
  PostgreSQL backend;
  auto a = Lease(backend, "broker-a");
  auto old_store = FencedStore(backend, Acquire(*a));
  REQUIRE(old_store->Begin().ok());
  DocumentRecord doc = MakeDocument("in-flight");
  REQUIRE(old_store->InsertDocument(doc).ok());

  REQUIRE(backend.cluster->TerminateBackend(a->backend_pid()).ok());
  auto b = Lease(backend, "broker-b");
  auto taking = std::async(std::launch::async, [&] { return b->TryAcquire(); });
  // The takeover is held up by the open turn's lock on the epoch row.
  CHECK(taking.wait_for(std::chrono::milliseconds(300)) ==
        std::future_status::timeout);
  REQUIRE(old_store->Commit().ok());
  auto taken = taking.get();
  REQUIRE(taken.ok());
  REQUIRE(taken->has_value());
  CHECK(Documents(backend) == 1);
  CHECK(old_store->Begin().code() == Code::kFenced);
}

}  // namespace
}  // namespace docbus::store
