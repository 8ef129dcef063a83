#include "bus/audit/exported_log.h"

#include <algorithm>

#include "bus/audit/note_verifier.h"
#include "bus/audit/tiles.h"
#include "bus/core/files.h"

namespace docbus::audit {
namespace {

// The largest files a valid export holds; anything larger is refused
// before it is read.
constexpr uint64_t kMaxTileBytes = kTileWidth * 32;
constexpr uint64_t kMaxBundleBytes = kTileWidth * (2 + 65535);

}  // namespace

Result<std::string> UnverifiedNoteText(std::string_view note) {
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status(Code::kMalformed, "signed note has no signature block");
  }
  return std::string(note.substr(0, split + 1));
}

Result<ExportedLog> ExportedLog::Open(const std::filesystem::path& dir) {
  DOCBUS_ASSIGN_OR_RETURN(std::string note,
                          ReadFileLimited(dir / "checkpoint", kMaxNoteBytes));
  ExportedLog log;
  log.dir_ = dir;
  log.signed_checkpoint_ = std::move(note);
  return log;
}

Result<Checkpoint> ExportedLog::UnverifiedCheckpoint() const {
  DOCBUS_ASSIGN_OR_RETURN(std::string text,
                          UnverifiedNoteText(signed_checkpoint_));
  return ParseCheckpoint(text);
}

Result<std::string> ExportedLog::ReadBundle(int64_t n, int width) const {
  return ReadFileLimited(dir_ / EntriesPath(n, width), kMaxBundleBytes);
}

Result<std::string> ExportedLog::ReadTile(int level, int64_t n,
                                          int width) const {
  return ReadFileLimited(dir_ / TilePath(level, n, width), kMaxTileBytes);
}

Status ExportedLog::ForEachEntry(
    uint64_t size, int64_t* failed_index,
    const std::function<Status(int64_t, std::string_view)>& visit) const {
  std::vector<std::string_view> entries;
  for (uint64_t start = 0; start < size; start += kTileWidth) {
    const int64_t n = static_cast<int64_t>(start / kTileWidth);
    const int width =
        static_cast<int>(std::min<uint64_t>(kTileWidth, size - start));
    auto bundle = ReadBundle(n, width);
    if (!bundle.ok()) {
      if (failed_index != nullptr) *failed_index = static_cast<int64_t>(start);
      return Status(
          bundle.status().code(),
          "entry " + std::to_string(start) + ": " + bundle.status().message());
    }
    entries.clear();
    Status parsed = ParseEntryBundle(*bundle, &entries);
    if (entries.size() < static_cast<size_t>(width)) {
      // Entries are missing: the first absent one is the bad index.
      const int64_t at = static_cast<int64_t>(start + entries.size());
      for (size_t i = 0; i < entries.size(); ++i) {
        DOCBUS_RETURN_IF_ERROR(
            visit(static_cast<int64_t>(start + i), entries[i]));
      }
      if (failed_index != nullptr) *failed_index = at;
      return Status(Code::kMalformed,
                    "entry " + std::to_string(at) + ": " +
                        EntriesPath(n, width) + " holds only " +
                        std::to_string(entries.size()) + " whole entries, " +
                        std::to_string(width) + " expected");
    }
    for (int i = 0; i < width; ++i) {
      DOCBUS_RETURN_IF_ERROR(
          visit(static_cast<int64_t>(start) + i, entries[i]));
    }
    if (!parsed.ok() || entries.size() > static_cast<size_t>(width)) {
      // Bytes after the last entry: the bundle was extended or altered.
      const int64_t at = static_cast<int64_t>(start) + width - 1;
      if (failed_index != nullptr) *failed_index = at;
      return Status(Code::kMalformed, "entry " + std::to_string(at) + ": " +
                                          EntriesPath(n, width) +
                                          " has bytes after its " +
                                          std::to_string(width) + " entries");
    }
  }
  return Status::Ok();
}

}  // namespace docbus::audit
