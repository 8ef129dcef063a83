#include "bus/audit/memory_log_storage.h"

namespace docbus::audit {

Result<std::vector<Hash>> MemoryLogStorage::ReadHashes(
    std::span<const int64_t> stored_indexes) {
  std::vector<Hash> out;
  out.reserve(stored_indexes.size());
  for (int64_t id : stored_indexes) {
    if (id < 0 || id >= static_cast<int64_t>(hashes_.size())) {
      return Status(Code::kNotFound,
                    "audit hash " + std::to_string(id) + " is not stored");
    }
    out.push_back(hashes_[static_cast<size_t>(id)]);
  }
  return out;
}

Result<int64_t> MemoryLogStorage::Size() {
  return static_cast<int64_t>(entries_.size());
}

Result<std::string> MemoryLogStorage::ReadEntry(int64_t index) {
  if (index < 0 || index >= static_cast<int64_t>(entries_.size())) {
    return Status(Code::kNotFound,
                  "audit entry " + std::to_string(index) + " is not stored");
  }
  return entries_[static_cast<size_t>(index)];
}

Status MemoryLogStorage::Append(int64_t index, std::string_view entry,
                                std::span<const Hash> new_hashes) {
  if (index != static_cast<int64_t>(entries_.size())) {
    return Status(Code::kAlreadyExists, "audit entry " + std::to_string(index) +
                                            " is not the next one");
  }
  if (StoredHashCount(index) != static_cast<int64_t>(hashes_.size())) {
    return Status(Code::kCorruption, "audit hashes out of step with entries");
  }
  entries_.emplace_back(entry);
  hashes_.insert(hashes_.end(), new_hashes.begin(), new_hashes.end());
  return Status::Ok();
}

void MemoryLogStorage::Truncate(int64_t size) {
  if (size < 0 || size >= static_cast<int64_t>(entries_.size())) return;
  entries_.resize(static_cast<size_t>(size));
  hashes_.resize(static_cast<size_t>(StoredHashCount(size)));
}

}  // namespace docbus::audit
