// The offline verifier behind `docbus audit verify`: given a tiles export
// and the log's verifier key, it rebuilds the whole tree from the entry
// bundles and checks
//  1. the checkpoint's signature and strict syntax;
//  2. every entry's leaf hash against the level-0 tiles, every full and
//     partial tile at every level against recomputed hashes, and the root
//     against the checkpoint;
//  3. every record's lifecycle rules (LifecycleChecker);
//  4. with a previous checkpoint, that this log extends it (a smaller size
//     is a truncation; a different root at that size is a fork).
// It reports the FIRST bad index and why. Runs on the calling thread; no
// shared state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "bus/audit/checkpoint.h"
#include "bus/audit/note_verifier.h"

namespace docbus::audit {

struct VerifyOptions {
  // A signed checkpoint of the same log seen earlier (e.g. kept by an agent
  // or by the last audit).
  std::optional<std::string> previous_checkpoint;
  // Called after each entry bundle with (entries done, total).
  std::function<void(uint64_t, uint64_t)> progress;
};

struct VerifyReport {
  bool ok = false;
  // What the export claims (valid once the checkpoint parsed).
  Checkpoint checkpoint;
  // The first index found bad, or -1 when the failure is not about one
  // entry (unreadable or badly signed checkpoint, or a root mismatch that
  // no tile localises).
  int64_t first_bad_index = -1;
  std::string reason;  // empty when ok
  uint64_t entries_checked = 0;
  uint64_t tiles_checked = 0;
};

VerifyReport VerifyExportedLog(const std::filesystem::path& dir,
                               const NoteVerifier& verifier,
                               const VerifyOptions& options = {});

}  // namespace docbus::audit
