#include "bus/store/postgres/pg_schema.h"

#include <string>

namespace docbus::store::pg {

Status Migrate(PgConnection& conn) {
  DOCBUS_RETURN_IF_ERROR(
      conn.Exec("BEGIN;"
                "SELECT pg_advisory_xact_lock(6873014657140331);"
                "CREATE TABLE IF NOT EXISTS schema_migrations("
                "version integer PRIMARY KEY, "
                "applied_at timestamptz NOT NULL DEFAULT now())"));
  Result<PgResult> current = conn.Query(
      "SELECT coalesce(max(version), 0)::bigint FROM schema_migrations");
  if (!current.ok()) {
    (void)conn.Exec("ROLLBACK");
    return current.status();
  }
  const int64_t have = current->Int(0, 0);
  const auto all = Migrations();
  if (have > all.back().version) {
    (void)conn.Exec("ROLLBACK");
    return Status(Code::kFailedPrecondition,
                  "the database has schema version " + std::to_string(have) +
                      ", newer than this broker's " +
                      std::to_string(all.back().version));
  }
  Status s;
  for (const Migration& m : all) {
    if (m.version <= have) continue;
    s = conn.Exec(m.sql);
    if (s.ok()) {
      s = conn.Exec("INSERT INTO schema_migrations(version) VALUES (" +
                    std::to_string(m.version) + ")");
    }
    if (!s.ok()) {
      (void)conn.Exec("ROLLBACK");
      return s.Prefixed("schema version " + std::to_string(m.version));
    }
  }
  return conn.Exec("COMMIT");
}

}  // namespace docbus::store::pg
