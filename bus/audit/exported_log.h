// ExportedLog: read access to a tiles export (see tiles.h) on disk, as the
// auditor's tools find it: the checkpoint, entry bundles and hash tiles.
// Nothing here verifies anything (see log_verifier.h); reads return
// kNotFound for a missing file, kTooLarge for one larger than any valid file
// of its kind (bundle, tile, signed note) and kIoError for other filesystem
// errors.
// Immutable after Open; safe to share between threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/checkpoint.h"
#include "bus/core/status.h"

namespace docbus::audit {

class ExportedLog {
 public:
  // Reads <dir>/checkpoint. kNotFound if the folder has none.
  static Result<ExportedLog> Open(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  // The checkpoint file exactly as found (a signed note).
  const std::string& signed_checkpoint() const { return signed_checkpoint_; }
  // Its checkpoint, parsed without checking any signature.
  Result<Checkpoint> UnverifiedCheckpoint() const;

  // The raw bundle / tile file of index n and width (256 = full).
  Result<std::string> ReadBundle(int64_t n, int width) const;
  Result<std::string> ReadTile(int level, int64_t n, int width) const;

  // Calls `visit(index, entry)` for entries [0, size) in order, reading one
  // bundle at a time; stops at the first non-ok Status `visit` returns and
  // returns it. kNotFound / kMalformed naming the first index that a
  // missing or short bundle fails to provide (or, for bytes after a
  // bundle's last entry, that entry's index), also stored in
  // `*failed_index` when given. The entries a bad bundle does hold are
  // visited first.
  Status ForEachEntry(
      uint64_t size, int64_t* failed_index,
      const std::function<Status(int64_t, std::string_view)>& visit) const;

 private:
  std::filesystem::path dir_;
  std::string signed_checkpoint_;
};

// The text of a signed note (up to its last blank line) without checking
// any signature; kMalformed if it has no signature block.
Result<std::string> UnverifiedNoteText(std::string_view note);

}  // namespace docbus::audit
