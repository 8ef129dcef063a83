// AuditLog: the append-only, tamper-evident log of one party (the broker or
// an agent) over a LogStorage. Append fills the record's format_version (1),
// log_origin, a random 16-byte event_id when empty, and keeps time_unix_ms
// from going backwards; it serializes the record once and stores those exact
// bytes, so leaf hashes are over what was stored. Appending reads no hashes
// from storage in the steady state: the right edge of the tree (the compact
// range) is cached in memory. The cache is checked against LogStorage::Size()
// on each append, so a rolled-back transaction is noticed and the edge is
// reloaded (O(log n) reads). Not thread-safe: use from the storage's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bus/audit/hash.h"
#include "bus/audit/log_storage.h"
#include "bus/core/clock.h"
#include "bus/core/status.h"
#include "docbus/v1/audit.pb.h"

namespace docbus::audit {

// Largest serialized record: an entry bundle of tlog-tiles stores a 16-bit
// length.
inline constexpr size_t kMaxEntryBytes = 65535;

class AuditLog {
 public:
  // `clock`, when given, fills time_unix_ms of records that have none.
  AuditLog(LogStorage& storage, std::string origin,
           const Clock* clock = nullptr);

  // Appends the record and returns its index. kInvalidArgument if it names
  // another log_origin or format_version, or its event_id is not 16 bytes;
  // kTooLarge above kMaxEntryBytes; storage errors as returned. Nothing is
  // appended on failure.
  Result<int64_t> Append(v1::AuditRecord record);

  // Root of the first `size` entries (the cached root for the current size).
  Result<Hash> Root(int64_t size);
  // Proof that entry `index` is in the tree of `size` entries.
  // kInvalidArgument unless 0 <= index < size; kNotFound past the stored
  // hashes.
  Result<std::vector<Hash>> InclusionProof(int64_t index, int64_t size);
  // Empty for old_size == 0 (see CheckpointExtends) or old_size == size;
  // kInvalidArgument unless 0 <= old_size <= size; kNotFound past the
  // stored hashes.
  Result<std::vector<Hash>> ConsistencyProof(int64_t old_size, int64_t size);

  // Current number of entries.
  Result<int64_t> Size();
  const std::string& origin() const { return origin_; }
  // Drops the cache; the next call reloads it from storage. Call after the
  // caller's transaction was rolled back if it wants to be explicit (Append
  // also notices by itself).
  void Reload() { loaded_ = false; }

 private:
  Status Load();
  // Load() unless the cache matches the storage's size.
  Status Refresh();

  LogStorage& storage_;
  std::string origin_;
  const Clock* clock_;
  bool loaded_ = false;
  int64_t size_ = 0;
  int64_t last_time_ms_ = 0;
  // Roots of the perfect subtrees covering [0, size_), largest first: one per
  // set bit of size_.
  std::vector<Hash> edge_;
};

}  // namespace docbus::audit
