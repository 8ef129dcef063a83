#include "bus/audit/log_verifier.h"

#include <cstring>
#include <vector>

#include "bus/audit/exported_log.h"
#include "bus/audit/lifecycle_checker.h"
#include "bus/audit/merkle.h"
#include "bus/audit/tiles.h"

namespace docbus::audit {
namespace {

constexpr int kMaxTileLevels = 8;  // 256^8 = 2^64 leaves

// Per-entry checks keep the lowest failing index; equal indexes prefer the
// hash mismatch (it is what proves tampering).
struct FirstFailure {
  int64_t index = -1;
  std::string reason;
  void Note(int64_t at, std::string why, bool proves_tampering = false) {
    if (index < 0 || at < index || (at == index && proves_tampering)) {
      index = at;
      reason = std::move(why);
    }
  }
  bool found() const { return index >= 0; }
};

class Rebuilder {
 public:
  Rebuilder(const ExportedLog& log, uint64_t size, VerifyReport* report,
            FirstFailure* failure)
      : log_(log), size_(size), report_(report), failure_(failure) {}

  // Adds leaf `index`; checks tiles as they complete.
  void Add(int64_t index, const Hash& leaf) {
    level0_.push_back(leaf);
    // Compact range: merge equal-sized subtrees.
    Hash h = leaf;
    int height = 0;
    for (uint64_t n = static_cast<uint64_t>(index); (n & 1) != 0; n >>= 1) {
      h = NodeHash(edge_.back(), h);
      edge_.pop_back();
      ++height;
      // A perfect subtree of 256^L leaves is one hash of a level-L tile.
      if (height % kTileHeight == 0) AddTileHash(height / kTileHeight, h);
    }
    edge_.push_back(h);
    if (level0_.size() == static_cast<size_t>(kTileWidth)) {
      CheckTile(0, (index + 1) / kTileWidth - 1, level0_);
      level0_.clear();
    }
  }

  // Checks the partial tiles of the final size and returns the root.
  Hash Finish() {
    if (!level0_.empty()) {
      CheckTile(0, static_cast<int64_t>(size_ / kTileWidth), level0_);
    }
    for (int level = 1; level < kMaxTileLevels; ++level) {
      if (!upper_[level].empty()) {
        int shift = kTileHeight * (level + 1);
        CheckTile(level, static_cast<int64_t>(size_ >> shift), upper_[level]);
      }
    }
    return Root();
  }

  Hash Root() const { return RootOfEdge(edge_); }

  // The first index a bad tile implicates, and why; -1 if none.
  int64_t tile_failure_index() const { return tile_failure_.index; }
  const std::string& tile_failure_reason() const {
    return tile_failure_.reason;
  }

 private:
  void AddTileHash(int level, const Hash& h) {
    if (level >= kMaxTileLevels) return;
    std::vector<Hash>& tile = upper_[level];
    tile.push_back(h);
    if (tile.size() == static_cast<size_t>(kTileWidth)) {
      // Which tile: the subtree just completed ends at a multiple of
      // 256^(level+1) leaves.
      tiles_done_[level]++;
      CheckTile(level, tiles_done_[level] - 1, tile);
      tile.clear();
    }
  }

  void CheckTile(int level, int64_t n, const std::vector<Hash>& want) {
    const int width = static_cast<int>(want.size());
    const uint64_t leaves_per_hash = uint64_t{1} << (kTileHeight * level);
    const int64_t first_leaf = static_cast<int64_t>(
        static_cast<uint64_t>(n) * kTileWidth * leaves_per_hash);
    report_->tiles_checked++;
    auto tile = log_.ReadTile(level, n, width);
    if (!tile.ok()) {
      NoteTile(level, first_leaf,
               TilePath(level, n, width) + " is missing or unreadable");
      return;
    }
    if (tile->size() != want.size() * 32) {
      NoteTile(level, first_leaf,
               TilePath(level, n, width) + " has " +
                   std::to_string(tile->size()) + " bytes, " +
                   std::to_string(want.size() * 32) + " expected");
      return;
    }
    for (int i = 0; i < width; ++i) {
      if (std::memcmp(tile->data() + 32 * i, want[i].data(), 32) != 0) {
        int64_t at = first_leaf + static_cast<int64_t>(i * leaves_per_hash);
        if (level == 0) {
          NoteTile(level, at,
                   "leaf hash of the entry differs from " +
                       TilePath(level, n, width) +
                       " (entry altered, "
                       "reordered or replaced)");
        } else {
          NoteTile(level, at,
                   "entries [" + std::to_string(at) + ", " +
                       std::to_string(at + leaves_per_hash) +
                       ") hash differently from " + TilePath(level, n, width));
        }
        return;
      }
    }
  }

  void NoteTile(int level, int64_t at, std::string why) {
    if (level == 0) {
      failure_->Note(at, std::move(why), /*proves_tampering=*/true);
    } else {
      tile_failure_.Note(at, std::move(why));
    }
  }

  const ExportedLog& log_;
  const uint64_t size_;
  VerifyReport* report_;
  FirstFailure* failure_;
  FirstFailure tile_failure_;  // upper levels: reported only if all else holds
  std::vector<Hash> level0_;
  std::vector<Hash> edge_;
  std::vector<Hash> upper_[kMaxTileLevels];
  int64_t tiles_done_[kMaxTileLevels] = {};
};

VerifyReport Fail(VerifyReport report, int64_t index, std::string reason) {
  report.ok = false;
  report.first_bad_index = index;
  report.reason = std::move(reason);
  return report;
}

}  // namespace

VerifyReport VerifyExportedLog(const std::filesystem::path& dir,
                               const NoteVerifier& verifier,
                               const VerifyOptions& options) {
  VerifyReport report;
  auto log = ExportedLog::Open(dir);
  if (!log.ok()) return Fail(report, -1, log.status().message());
  auto checkpoint = OpenCheckpoint(verifier, log->signed_checkpoint());
  if (!checkpoint.ok()) {
    return Fail(report, -1, "checkpoint: " + checkpoint.status().message());
  }
  report.checkpoint = *checkpoint;
  const uint64_t size = checkpoint->size;

  std::optional<Checkpoint> previous;
  if (options.previous_checkpoint) {
    auto prev = OpenCheckpoint(verifier, *options.previous_checkpoint);
    if (!prev.ok()) {
      return Fail(report, -1,
                  "previous checkpoint: " + prev.status().message());
    }
    previous = *prev;
    if (previous->size > size) {
      return Fail(report, static_cast<int64_t>(size),
                  "truncated: the previous checkpoint has " +
                      std::to_string(previous->size) +
                      " entries, this log only " + std::to_string(size));
    }
  }

  FirstFailure failure;
  Rebuilder rebuilder(*log, size, &report, &failure);
  LifecycleChecker lifecycle(checkpoint->origin, size);
  std::optional<Hash> root_at_previous;
  if (previous && previous->size == 0) root_at_previous = EmptyTreeHash();
  int64_t stop_after = -1;  // finish the tile holding the first failure
  int64_t failed_at = -1;
  Status walked = log->ForEachEntry(
      size, &failed_at, [&](int64_t index, std::string_view entry) {
        rebuilder.Add(index, LeafHash(entry));
        Status rules = lifecycle.Check(index, entry);
        if (!rules.ok()) failure.Note(index, rules.message());
        report.entries_checked++;
        if (previous && static_cast<uint64_t>(index) + 1 == previous->size) {
          root_at_previous = rebuilder.Root();
        }
        if (failure.found() && stop_after < 0) {
          stop_after = (failure.index / kTileWidth + 1) * kTileWidth - 1;
        }
        if ((index + 1) % kTileWidth == 0 && options.progress) {
          options.progress(static_cast<uint64_t>(index) + 1, size);
        }
        if (stop_after >= 0 && index >= stop_after) {
          return Status(Code::kCorruption, "stop");
        }
        return Status::Ok();
      });
  if (failed_at < 0) failed_at = 0;
  int64_t repeated_event = -1;
  Status unique = lifecycle.Finish(&repeated_event);
  if (!unique.ok()) failure.Note(repeated_event, unique.message());
  if (!walked.ok() && stop_after < 0) {
    // A missing or short bundle: entries from there on cannot be checked.
    failure.Note(failed_at, walked.message());
  }
  // The partial tiles are checked whenever the walk reached the end.
  Hash root = walked.ok() ? rebuilder.Finish() : Hash{};
  if (failure.found()) return Fail(report, failure.index, failure.reason);
  if (rebuilder.tile_failure_index() >= 0) {
    return Fail(report, rebuilder.tile_failure_index(),
                rebuilder.tile_failure_reason());
  }
  if (root != checkpoint->root) {
    return Fail(report, -1,
                "the entries hash to root " + HashToBase64(root) +
                    ", the signed checkpoint says " +
                    HashToBase64(checkpoint->root));
  }
  if (previous && (!root_at_previous || *root_at_previous != previous->root)) {
    int64_t at = static_cast<int64_t>(previous->size) - 1;
    return Fail(report, at < 0 ? 0 : at,
                "fork: the first " + std::to_string(previous->size) +
                    " entries of this log hash to " +
                    (root_at_previous ? HashToBase64(*root_at_previous)
                                      : std::string("?")) +
                    ", but the previous checkpoint of that size says " +
                    HashToBase64(previous->root) +
                    "; this log does not extend it (the divergence is at or "
                    "before this index)");
  }
  if (options.progress) options.progress(size, size);
  report.ok = true;
  return report;
}

}  // namespace docbus::audit
