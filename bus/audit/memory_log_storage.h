// MemoryLogStorage: LogStorage held in memory (vectors of entries and
// hashes). For tests, benchmarks and the offline verifier, which rebuilds a
// log from an export. Not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/log_storage.h"

namespace docbus::audit {

class MemoryLogStorage : public LogStorage {
 public:
  Result<std::vector<Hash>> ReadHashes(
      std::span<const int64_t> stored_indexes) override;
  Result<int64_t> Size() override;
  Result<std::string> ReadEntry(int64_t index) override;
  Status Append(int64_t index, std::string_view entry,
                std::span<const Hash> new_hashes) override;

  // Drops entries [size, ...) and their hashes, as a rolled-back
  // transaction would.
  void Truncate(int64_t size);

  const std::vector<std::string>& entries() const { return entries_; }
  const std::vector<Hash>& hashes() const { return hashes_; }

 private:
  std::vector<std::string> entries_;
  std::vector<Hash> hashes_;
};

}  // namespace docbus::audit
