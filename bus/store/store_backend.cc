#include "bus/store/store_backend.h"

#include "bus/store/postgres/pg_broker_store.h"
#include "bus/store/postgres/pg_leader_lease.h"

namespace docbus::store {

bool IsKnownStoreBackend(const std::string& backend) {
  return backend == "sqlite" || backend == "postgresql";
}

Status ValidateStoreSelection(const StoreSelection& s) {
  auto bad = [](std::string_view key, std::string why) {
    return Status(Code::kInvalidArgument,
                  "key '" + std::string(key) + "': " + why);
  };
  if (!IsKnownStoreBackend(s.backend)) {
    return bad("store.backend",
               "unknown backend '" + s.backend + "' (sqlite, postgresql)");
  }
  if (s.backend == "sqlite") {
    if (!s.dsn.empty()) {
      return bad("store.dsn", "only used with store.backend = \"postgresql\"");
    }
    return Status::Ok();
  }
  if (s.dsn.empty()) {
    return bad("store.dsn", "required with store.backend = \"postgresql\"");
  }
  Result<std::string> described = pg::DescribeDsn(s.dsn);
  if (!described.ok()) return bad("store.dsn", described.status().message());
  return Status::Ok();
}

Result<std::unique_ptr<BrokerStore>> OpenBrokerStore(
    const StoreSelection& selection) {
  if (selection.backend == "sqlite") {
    return OpenSqliteBrokerStore(selection.data_dir);
  }
  if (selection.backend == "postgresql") {
    return OpenPostgresBrokerStore(
        PostgresOptions{.dsn = selection.dsn,
                        .clock = selection.clock,
                        .fence_epoch = selection.fence_epoch,
                        .lease_ms = selection.lease_ms});
  }
  return Status(
      Code::kInvalidArgument,
      "unknown store backend '" + selection.backend + "' (sqlite, postgresql)");
}

Result<std::unique_ptr<LeaderLease>> OpenLeaderLease(
    const StoreSelection& selection) {
  if (selection.backend != "postgresql") {
    return std::unique_ptr<LeaderLease>();
  }
  DOCBUS_ASSIGN_OR_RETURN(
      auto lease, pg::PgLeaderLease::Create(
                      pg::LeaseOptions{.dsn = selection.dsn,
                                       .holder = selection.holder,
                                       .lease_ms = selection.lease_ms}));
  return std::unique_ptr<LeaderLease>(std::move(lease));
}

}  // namespace docbus::store
