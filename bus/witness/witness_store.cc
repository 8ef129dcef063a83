#include "bus/witness/witness_store.h"

#include <mutex>

#include "bus/audit/hash.h"
#include "bus/core/sqlite_db.h"

namespace docbus::witness {
namespace {

constexpr std::string_view kSchema = R"(
CREATE TABLE IF NOT EXISTS witnessed (
  origin TEXT PRIMARY KEY NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  root BLOB NOT NULL CHECK (length(root) = 32),
  note TEXT NOT NULL
) STRICT;
)";

class SqliteWitnessStore final : public WitnessStore {
 public:
  explicit SqliteWitnessStore(std::unique_ptr<SqliteDb> db)
      : db_(std::move(db)) {}

  Result<std::optional<WitnessedCheckpoint>> Latest(
      const std::string& origin) override {
    std::lock_guard lock(mu_);
    return LatestLocked(origin);
  }

  Result<std::vector<WitnessedCheckpoint>> All() override {
    std::lock_guard lock(mu_);
    DOCBUS_ASSIGN_OR_RETURN(
        SqliteQuery q,
        db_->Prepare("SELECT origin, size, root, note FROM witnessed "
                     "ORDER BY origin"));
    std::vector<WitnessedCheckpoint> out;
    while (true) {
      DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      DOCBUS_ASSIGN_OR_RETURN(WitnessedCheckpoint w, FromRow(*q));
      out.push_back(std::move(w));
    }
    return out;
  }

  Status Advance(
      const std::string& origin,
      const std::function<Status(const audit::Checkpoint& stored)>& decide,
      const WitnessedCheckpoint& next) override {
    std::lock_guard lock(mu_);
    DOCBUS_RETURN_IF_ERROR(db_->Begin());
    Status s = AdvanceLocked(origin, decide, next);
    if (s.ok()) s = db_->Commit();
    if (!s.ok()) (void)db_->Rollback();
    return s;
  }

 private:
  Status AdvanceLocked(
      const std::string& origin,
      const std::function<Status(const audit::Checkpoint& stored)>& decide,
      const WitnessedCheckpoint& next) {
    DOCBUS_ASSIGN_OR_RETURN(std::optional<WitnessedCheckpoint> latest,
                            LatestLocked(origin));
    const audit::Checkpoint stored =
        latest ? latest->checkpoint
               : audit::Checkpoint{origin, 0, audit::EmptyTreeHash()};
    DOCBUS_RETURN_IF_ERROR(decide(stored));
    DOCBUS_ASSIGN_OR_RETURN(
        SqliteQuery q,
        db_->Prepare("INSERT INTO witnessed (origin, size, root, note) "
                     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (origin) DO UPDATE "
                     "SET size = ?2, root = ?3, note = ?4"));
    q->BindText(1, origin)
        .Bind(2, static_cast<int64_t>(next.checkpoint.size))
        .BindBlob(3, audit::HashBytes(next.checkpoint.root))
        .BindText(4, next.note);
    return q->Run();
  }

  Result<std::optional<WitnessedCheckpoint>> LatestLocked(
      const std::string& origin) {
    DOCBUS_ASSIGN_OR_RETURN(
        SqliteQuery q,
        db_->Prepare("SELECT origin, size, root, note FROM witnessed "
                     "WHERE origin = ?1"));
    q->BindText(1, origin);
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return std::optional<WitnessedCheckpoint>();
    DOCBUS_ASSIGN_OR_RETURN(WitnessedCheckpoint w, FromRow(*q));
    return std::optional<WitnessedCheckpoint>(std::move(w));
  }

  static Result<WitnessedCheckpoint> FromRow(const SqliteStatement& row) {
    std::optional<audit::Hash> root = audit::HashFromBytes(row.BlobView(2));
    if (!root || row.Int(1) < 0) {
      return Status(Code::kCorruption,
                    "witness store: bad row for '" + row.Text(0) + "'");
    }
    return WitnessedCheckpoint{
        audit::Checkpoint{row.Text(0), static_cast<uint64_t>(row.Int(1)),
                          *root},
        row.Text(3)};
  }

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace

Result<std::unique_ptr<WitnessStore>> OpenSqliteWitnessStore(
    const std::filesystem::path& file) {
  DOCBUS_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(file));
  DOCBUS_RETURN_IF_ERROR(db->Exec(kSchema));
  return std::unique_ptr<WitnessStore>(new SqliteWitnessStore(std::move(db)));
}

}  // namespace docbus::witness
