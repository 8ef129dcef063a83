#include "bus/store/postgres/pg_log_storage.h"

#include <cstring>
#include <map>
#include <utility>

namespace docbus::store::pg {
namespace {

constexpr size_t kHashBytes = 32;

const std::pair<const char*, const char*> kStatements[] = {
    {"audit_read_hashes",
     "SELECT id, hash FROM audit_hashes WHERE id = ANY($1::bigint[])"},
    {"audit_size",
     "SELECT coalesce(max(idx) + 1, 0)::bigint FROM audit_entries"},
    {"audit_read_entry", "SELECT entry FROM audit_entries WHERE idx = $1"},
    {"audit_read_entries",
     "SELECT idx, entry FROM audit_entries WHERE idx >= $1 AND idx < $2 "
     "ORDER BY idx"},
    {"audit_insert_entry",
     "INSERT INTO audit_entries(idx, entry) VALUES ($1, $2) "
     "ON CONFLICT DO NOTHING"},
    // The entry and its hashes (32 bytes each, back to back in $4) in one
    // statement: a taken index inserts neither, and no hash is counted.
    {"audit_append",
     "WITH entry AS (INSERT INTO audit_entries(idx, entry) "
     "VALUES ($1::bigint, $2::bytea) ON CONFLICT DO NOTHING RETURNING idx) "
     "INSERT INTO audit_hashes(id, hash) "
     "SELECT $3::bigint + i, substring($4::bytea FROM i * 32 + 1 FOR 32) "
     "FROM entry, generate_series(0, octet_length($4::bytea) / 32 - 1) AS i"},
    {"audit_read_checkpoint",
     "SELECT note FROM audit_checkpoints WHERE size = $1"},
    {"audit_insert_checkpoint",
     "INSERT INTO audit_checkpoints(size, note) VALUES ($1, $2)"},
    {"audit_latest_checkpoint",
     "SELECT note FROM audit_checkpoints ORDER BY size DESC LIMIT 1"},
};

}  // namespace

Status PgLogStorage::PrepareStatements(PgConnection& conn) {
  for (const auto& [name, sql] : kStatements) {
    DOCBUS_RETURN_IF_ERROR(conn.Prepare(name, sql));
  }
  return Status::Ok();
}

Result<std::vector<audit::Hash>> PgLogStorage::ReadHashes(
    std::span<const int64_t> stored_indexes) {
  std::vector<audit::Hash> hashes(stored_indexes.size());
  if (stored_indexes.empty()) return hashes;
  std::string ids = "{";
  for (size_t i = 0; i < stored_indexes.size(); ++i) {
    if (i > 0) ids.push_back(',');
    ids += std::to_string(stored_indexes[i]);
  }
  ids.push_back('}');
  DOCBUS_ASSIGN_OR_RETURN(PgResult rows,
                          conn_.Run("audit_read_hashes", PgParams().Text(ids)));
  std::map<int64_t, std::string_view> found;
  for (int r = 0; r < rows.rows(); ++r) {
    found.emplace(rows.Int(r, 0), rows.Bytes(r, 1));
  }
  for (size_t i = 0; i < stored_indexes.size(); ++i) {
    const int64_t id = stored_indexes[i];
    auto it = found.find(id);
    if (it == found.end()) {
      return Status(Code::kNotFound,
                    "audit hash " + std::to_string(id) + " is not stored");
    }
    if (it->second.size() != kHashBytes) {
      return Status(Code::kCorruption,
                    "audit hash " + std::to_string(id) + " is not 32 bytes");
    }
    std::memcpy(hashes[i].data(), it->second.data(), kHashBytes);
  }
  return hashes;
}

Result<int64_t> PgLogStorage::Size() {
  DOCBUS_ASSIGN_OR_RETURN(PgResult rows, conn_.Run("audit_size", PgParams()));
  return rows.Int(0, 0);
}

Result<std::string> PgLogStorage::ReadEntry(int64_t index) {
  DOCBUS_ASSIGN_OR_RETURN(PgResult rows,
                          conn_.Run("audit_read_entry", PgParams().Int(index)));
  if (rows.rows() == 0) {
    return Status(Code::kNotFound,
                  "audit entry " + std::to_string(index) + " is not stored");
  }
  return rows.String(0, 0);
}

Result<std::vector<std::string>> PgLogStorage::ReadEntries(int64_t begin,
                                                           int64_t end) {
  if (begin < 0 || end < begin) {
    return Status(Code::kInvalidArgument, "bad entry range");
  }
  DOCBUS_ASSIGN_OR_RETURN(
      PgResult rows,
      conn_.Run("audit_read_entries", PgParams().Int(begin).Int(end)));
  std::vector<std::string> entries;
  entries.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) {
    const int64_t expected = begin + r;
    if (rows.Int(r, 0) != expected) {
      return Status(Code::kCorruption,
                    "audit entries have a gap at " + std::to_string(expected));
    }
    entries.push_back(rows.String(r, 1));
  }
  if (static_cast<int64_t>(entries.size()) != end - begin) {
    return Status(Code::kNotFound, "audit entry " +
                                       std::to_string(begin + entries.size()) +
                                       " is not stored");
  }
  return entries;
}

Status PgLogStorage::Append(int64_t index, std::string_view entry,
                            std::span<const audit::Hash> new_hashes) {
  const std::string taken = "audit entry " + std::to_string(index) + " exists";
  if (new_hashes.empty()) {
    DOCBUS_ASSIGN_OR_RETURN(
        PgResult r,
        conn_.Run("audit_insert_entry", PgParams().Int(index).Bytes(entry)));
    if (r.affected() != 1) return Status(Code::kAlreadyExists, taken);
    return Status::Ok();
  }
  std::string hashes;
  hashes.reserve(new_hashes.size() * kHashBytes);
  for (const audit::Hash& h : new_hashes) {
    hashes.append(reinterpret_cast<const char*>(h.data()), h.size());
  }
  Result<PgResult> r =
      conn_.Run("audit_append", PgParams()
                                    .Int(index)
                                    .Bytes(entry)
                                    .Int(audit::StoredHashCount(index))
                                    .Bytes(hashes));
  if (!r.ok()) {
    if (r.status().code() == Code::kAlreadyExists) {
      return Status(Code::kAlreadyExists,
                    "audit hash of entry " + std::to_string(index) + " exists");
    }
    return r.status();
  }
  if (r->affected() != static_cast<int64_t>(new_hashes.size())) {
    return Status(Code::kAlreadyExists, taken);
  }
  return Status::Ok();
}

Status PgLogStorage::SaveCheckpoint(uint64_t size,
                                    std::string_view signed_note) {
  const int64_t tree_size = static_cast<int64_t>(size);
  DOCBUS_ASSIGN_OR_RETURN(PgResult read, conn_.Run("audit_read_checkpoint",
                                                   PgParams().Int(tree_size)));
  if (read.rows() > 0) {
    if (read.Bytes(0, 0) == signed_note) return Status::Ok();
    return Status(Code::kAlreadyExists, "a different checkpoint of size " +
                                            std::to_string(size) +
                                            " is already saved");
  }
  return conn_
      .Run("audit_insert_checkpoint",
           PgParams().Int(tree_size).Text(signed_note))
      .status();
}

Result<std::optional<std::string>> PgLogStorage::LatestCheckpoint() {
  DOCBUS_ASSIGN_OR_RETURN(PgResult rows,
                          conn_.Run("audit_latest_checkpoint", PgParams()));
  if (rows.rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(rows.String(0, 0));
}

}  // namespace docbus::store::pg
