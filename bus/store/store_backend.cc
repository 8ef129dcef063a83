#include "bus/store/store_backend.h"

#include "bus/store/postgres/pg_broker_store.h"

namespace docbus::store {

bool IsKnownStoreBackend(const std::string& backend) {
  return backend == "sqlite" || backend == "postgresql";
}

Result<std::unique_ptr<BrokerStore>> OpenBrokerStore(
    const StoreSelection& selection) {
  if (selection.backend == "sqlite") {
    return OpenSqliteBrokerStore(selection.data_dir);
  }
  if (selection.backend == "postgresql") {
    return OpenPostgresBrokerStore(PostgresOptions{.dsn = selection.dsn});
  }
  return Status(Code::kInvalidArgument,
                "unknown store backend '" + selection.backend +
                    "' (sqlite, postgresql)");
}

}  // namespace docbus::store
