// The backends the store tests run on, as Catch2 template types: each
// creates a fresh, empty store location (a temp folder; a new database on
// the executable's throwaway PostgreSQL cluster, tests/support/pg_cluster.h)
// and Open() opens a store on it -- again after the previous one was
// closed, to check what survived. Not thread-safe.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "bus/core/clock.h"
#include "bus/store/broker_store.h"
#include "bus/store/postgres/pg_broker_store.h"
#include "tests/support/pg_cluster.h"
#include "tests/temp_dir.h"

namespace docbus::store {

struct Sqlite {
  static constexpr bool kHasConnection = false;
  std::unique_ptr<BrokerStore> Open() {
    auto store = OpenSqliteBrokerStore(dir.path());
    REQUIRE(store.ok());
    return std::move(store).value();
  }
  docbus::testing::TempDir dir;
};

struct PostgreSQL {
  static constexpr bool kHasConnection = true;
  PostgreSQL() {
    auto shared = docbus::testing::PgCluster::Shared();
    if (!shared.ok())
      FAIL("no PostgreSQL for the tests: " + shared.status().ToString());
    cluster = *shared;
    auto created = cluster->CreateDatabase();
    REQUIRE(created.ok());
    dsn = *created;
  }
  PostgresOptions Options() {
    // No backoff: a test's next Begin() reconnects at once.
    return PostgresOptions{.dsn = dsn,
                           .reconnect_min_backoff_ms = 0,
                           .reconnect_max_backoff_ms = 0,
                           .clock = &clock};
  }
  std::unique_ptr<BrokerStore> Open() {
    auto store = OpenPostgresBrokerStore(Options());
    if (!store.ok()) FAIL(store.status().ToString());
    return std::move(store).value();
  }
  docbus::testing::PgCluster* cluster = nullptr;
  std::string dsn;
  FakeClock clock;
};

}  // namespace docbus::store
