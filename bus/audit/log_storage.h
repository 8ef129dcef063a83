// LogStorage: where an audit log keeps its entries (exact serialized bytes)
// and its Merkle hashes (the sumdb linear layout, see merkle.h). The broker
// and agents implement it on their own database so that audit entries commit
// in the same transaction as the state they describe (SqliteLogStorage is
// the SQLite one). An implementation is used from one thread at a time
// unless it says otherwise.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/hash.h"
#include "bus/audit/merkle.h"
#include "bus/core/status.h"

namespace docbus::audit {

class LogStorage : public HashReader {
 public:
  ~LogStorage() override;

  // One hash per stored index, in the order asked; kNotFound if one is not
  // stored, kIoError on a storage failure.
  Result<std::vector<Hash>> ReadHashes(
      std::span<const int64_t> stored_indexes) override = 0;
  // Number of entries stored.
  virtual Result<int64_t> Size() = 0;
  // The exact bytes of entry `index`; kNotFound past the end.
  virtual Result<std::string> ReadEntry(int64_t index) = 0;
  // Stores entry `index` (which must be the current size) and the hashes
  // that StoredHashesForRecord computed for it, at stored indexes
  // StoredHashCount(index) onwards. kAlreadyExists if the index is taken,
  // kIoError on a storage failure; nothing is stored on failure.
  virtual Status Append(int64_t index, std::string_view entry,
                        std::span<const Hash> new_hashes) = 0;

  // Entries [begin, end) in order. The default calls ReadEntry per index;
  // implementations may read them in one go.
  virtual Result<std::vector<std::string>> ReadEntries(int64_t begin,
                                                       int64_t end);
};

}  // namespace docbus::audit
