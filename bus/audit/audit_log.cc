#include "bus/audit/audit_log.h"

#include <bit>

#include "bus/audit/merkle.h"
#include "bus/core/ids.h"
#include "bus/core/log.h"

namespace docbus::audit {
namespace {

constexpr uint32_t kFormatVersion = 1;

}  // namespace

AuditLog::AuditLog(LogStorage& storage, std::string origin, const Clock* clock)
    : storage_(storage), origin_(std::move(origin)), clock_(clock) {}

Status AuditLog::Load() {
  DOCBUS_ASSIGN_OR_RETURN(int64_t size, storage_.Size());
  const std::vector<int64_t> indexes = EdgeIndexes(size);
  std::vector<Hash> edge;
  if (!indexes.empty()) {
    DOCBUS_ASSIGN_OR_RETURN(edge, storage_.ReadHashes(indexes));
    if (edge.size() != indexes.size()) {
      return Status(Code::kCorruption, "audit storage returned too few hashes");
    }
  }
  int64_t last_time = 0;
  if (size > 0) {
    DOCBUS_ASSIGN_OR_RETURN(std::string last, storage_.ReadEntry(size - 1));
    v1::AuditRecord record;
    if (!record.ParseFromString(last)) {
      return Status(
          Code::kCorruption,
          "audit entry " + std::to_string(size - 1) + " does not parse");
    }
    last_time = record.time_unix_ms();
  }
  size_ = size;
  edge_ = std::move(edge);
  last_time_ms_ = last_time;
  loaded_ = true;
  return Status::Ok();
}

Status AuditLog::Refresh() {
  // The storage may have been rolled back under us (the caller's
  // transaction failed); one cheap size read tells.
  DOCBUS_ASSIGN_OR_RETURN(int64_t stored_size, storage_.Size());
  if (loaded_ && stored_size != size_) {
    ComponentLogger("audit")->info(
        "audit log {} holds {} entries, not the {} cached (a transaction was "
        "rolled back); reloading its edge",
        origin_, stored_size, size_);
  }
  if (!loaded_ || stored_size != size_) return Load();
  return Status::Ok();
}

Result<int64_t> AuditLog::Size() {
  DOCBUS_RETURN_IF_ERROR(Refresh());
  return size_;
}

Result<int64_t> AuditLog::Append(v1::AuditRecord record) {
  DOCBUS_RETURN_IF_ERROR(Refresh());
  if (record.format_version() == 0) record.set_format_version(kFormatVersion);
  if (record.format_version() != kFormatVersion) {
    return Status(Code::kInvalidArgument,
                  "audit record format_version " +
                      std::to_string(record.format_version()) + " is not 1");
  }
  if (record.log_origin().empty()) record.set_log_origin(origin_);
  if (record.log_origin() != origin_) {
    return Status(Code::kInvalidArgument,
                  "audit record names another log origin");
  }
  if (record.event_id().empty()) record.set_event_id(RandomBytes16());
  if (record.event_id().size() != 16) {
    return Status(Code::kInvalidArgument, "audit event_id is not 16 bytes");
  }
  if (record.time_unix_ms() == 0 && clock_ != nullptr) {
    record.set_time_unix_ms(clock_->NowUnixMillis());
  }
  if (record.time_unix_ms() < last_time_ms_) {
    record.set_time_unix_ms(last_time_ms_);
  }
  std::string entry;
  if (!record.SerializeToString(&entry)) {
    return Status(Code::kInternal, "audit record does not serialize");
  }
  if (entry.size() > kMaxEntryBytes) {
    return Status(Code::kTooLarge, "audit record of " +
                                       std::to_string(entry.size()) +
                                       " bytes exceeds 65535");
  }

  // New stored hashes: the leaf, then one per subtree this leaf completes,
  // whose left halves are the smallest perfect subtrees of the edge.
  const int64_t index = size_;
  Hash h = LeafHash(entry);
  std::vector<Hash> hashes;
  hashes.reserve(8);
  hashes.push_back(h);
  int completes = std::countr_zero(static_cast<uint64_t>(index + 1));
  if (completes > static_cast<int>(edge_.size())) {
    return Status(Code::kCorruption, "audit edge cache is inconsistent");
  }
  for (int i = 0; i < completes; ++i) {
    h = NodeHash(edge_[edge_.size() - 1 - i], h);
    hashes.push_back(h);
  }
  DOCBUS_RETURN_IF_ERROR(storage_.Append(index, entry, hashes));

  edge_.resize(edge_.size() - completes);
  edge_.push_back(h);
  size_ = index + 1;
  last_time_ms_ = record.time_unix_ms();
  return index;
}

Result<Hash> AuditLog::Root(int64_t size) {
  DOCBUS_RETURN_IF_ERROR(Refresh());
  if (size == size_) return RootOfEdge(edge_);
  if (size < 0 || size > size_) {
    return Status(Code::kInvalidArgument,
                  "no tree of size " + std::to_string(size) + " in a log of " +
                      std::to_string(size_));
  }
  return TreeHash(size, storage_);
}

Result<std::vector<Hash>> AuditLog::InclusionProof(int64_t index,
                                                   int64_t size) {
  return audit::InclusionProof(index, size, storage_);
}

Result<std::vector<Hash>> AuditLog::ConsistencyProof(int64_t old_size,
                                                     int64_t size) {
  if (old_size == 0 && size >= 0) return std::vector<Hash>{};
  return audit::ConsistencyProof(old_size, size, storage_);
}

}  // namespace docbus::audit
