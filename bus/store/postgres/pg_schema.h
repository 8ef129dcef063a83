// The PostgreSQL schema of the broker store (FORMAT.md), versioned: each
// Migration is the SQL of one schema_v<N>.sql file, compiled in. Migrate()
// brings a database to the newest version inside one transaction, under an
// advisory lock so two brokers starting at once do not both apply it, and
// records every applied version in `schema_migrations`.
// Thread-safety: Migrations() is constant; Migrate() uses the connection.
#pragma once

#include <span>
#include <string_view>

#include "bus/core/status.h"
#include "bus/store/postgres/pg_connection.h"

namespace docbus::store::pg {

struct Migration {
  int version;
  std::string_view sql;
};

// Every migration, oldest first (versions 1, 2, ...).
std::span<const Migration> Migrations();

// Applies the migrations the database lacks. kFailedPrecondition for a
// database at a version newer than this build knows; the connection's
// Status otherwise.
Status Migrate(PgConnection& conn);

}  // namespace docbus::store::pg
