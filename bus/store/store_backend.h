// Which BrokerStore a broker runs on, as configured ([store] in
// broker.toml), and the one place that opens it. Plain value type and a
// free function; thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "bus/core/clock.h"
#include "bus/core/status.h"
#include "bus/store/broker_store.h"
#include "bus/store/leader_lease.h"

namespace docbus::store {

struct StoreSelection {
  std::string backend = "sqlite";  // "sqlite" or "postgresql"
  std::filesystem::path data_dir;  // sqlite: <data_dir>/broker.db
  std::string dsn;                 // postgresql: libpq connection string
  const Clock* clock = nullptr;    // reconnect backoff; nullptr = real
  // postgresql: the broker's lease (leader_lease.h). `fence_epoch` is the
  // epoch the store checks (0: none), `lease_ms` how long a silent broker
  // keeps the lease, `holder` how the broker names itself to the others.
  int64_t fence_epoch = 0;
  int64_t lease_ms = 5000;
  std::string holder;
};

// The backends a StoreSelection may name.
bool IsKnownStoreBackend(const std::string& backend);

// Checks a selection as read from broker.toml: kInvalidArgument naming the
// key ("store.backend", "store.dsn") and why -- an unknown backend, a
// postgresql backend without a parseable dsn, a dsn with sqlite.
Status ValidateStoreSelection(const StoreSelection& selection);

// Opens the selected store (OpenSqliteBrokerStore or
// OpenPostgresBrokerStore, with their Statuses); kInvalidArgument for an
// unknown backend.
Result<std::unique_ptr<BrokerStore>> OpenBrokerStore(
    const StoreSelection& selection);

// The lease brokers sharing the selected store take turns on: a
// PgLeaderLease for postgresql; nullptr for sqlite, whose one broker is
// always the active one (its data folder's lock keeps others out).
Result<std::unique_ptr<LeaderLease>> OpenLeaderLease(
    const StoreSelection& selection);

}  // namespace docbus::store
