// WitnessStore: the witness's durable memory, the latest checkpoint it
// cosigned per log origin (origin, size, root, the cosigned note). Advance is
// the one way to change it: the compare with the stored checkpoint and the
// write of the new one happen in one transaction, committed before Advance
// returns, so that two requests from the same old size can never both
// succeed and a crash can never bring back an older size.
//
// Thread-safety: every call may come from any thread (calls are serialised
// inside); other processes on the same file are serialised by SQLite's
// write lock (BEGIN IMMEDIATE).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/audit/checkpoint.h"
#include "bus/core/status.h"

namespace docbus::witness {

struct WitnessedCheckpoint {
  audit::Checkpoint checkpoint;
  std::string note;  // the signed checkpoint with our cosignature
};

class WitnessStore {
 public:
  virtual ~WitnessStore() = default;

  // The latest cosigned checkpoint of `origin`, nullopt when none.
  // kIoError / kCorruption from the disk.
  virtual Result<std::optional<WitnessedCheckpoint>> Latest(
      const std::string& origin) = 0;
  // Every stored checkpoint (for the metrics at start).
  virtual Result<std::vector<WitnessedCheckpoint>> All() = 0;

  // In one transaction: reads the stored checkpoint of `origin` (size 0 with
  // the empty-tree root when there is none), calls `decide` with it, and
  // when `decide` is ok writes `next` and commits. Ok only once the commit
  // is on disk. A `decide` error is returned unchanged and nothing is
  // written; a disk error is kIoError with nothing written.
  virtual Status Advance(
      const std::string& origin,
      const std::function<Status(const audit::Checkpoint& stored)>& decide,
      const WitnessedCheckpoint& next) = 0;
};

// The store in SQLite file `file` (created when missing; WAL,
// synchronous=FULL). kIoError naming the file when it cannot be opened.
Result<std::unique_ptr<WitnessStore>> OpenSqliteWitnessStore(
    const std::filesystem::path& file);

}  // namespace docbus::witness
