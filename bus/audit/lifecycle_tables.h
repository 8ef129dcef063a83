// Internal to LifecycleChecker: compact tables for checking millions of
// records quickly. StringPool keeps copies of strings at stable addresses
// (chunks, never moved, freed all at once); ViewSet is an open-addressing
// set with a per-run random seed so that a crafted log cannot pick
// colliding keys in advance; EventIdLog finds repeated event ids. Not
// thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace docbus::audit::internal {

class StringPool {
 public:
  // A copy of `s` that lives as long as the pool.
  std::string_view Add(std::string_view s);

 private:
  static constexpr size_t kChunk = 1 << 20;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t used_ = kChunk;  // in the last chunk
};

// A set of strings (stored in a StringPool).
class ViewSet {
 public:
  // Tables are allocated on first use, sized for `expected` keys.
  explicit ViewSet(size_t expected);
  // Adds a copy of `key` (into `pool`) unless present; false if present.
  bool Insert(std::string_view key, StringPool& pool);

 private:
  struct Slot {
    const char* data = nullptr;  // nullptr = empty
    uint32_t size = 0;
    uint32_t tag = 0;  // high bits of the hash
  };
  uint64_t HashOf(std::string_view key) const;
  void Grow();

  uint64_t seed_;
  size_t expected_;
  size_t count_ = 0;
  std::vector<Slot> slots_;
};

// The 16-byte event ids of a log, collected in order and checked for
// repeats once at the end: sorting a million ids is several times cheaper
// than a million random probes into a hash table.
class EventIdLog {
 public:
  void Reserve(size_t expected) { ids_.reserve(expected); }
  void Add(std::string_view id, int64_t index);
  // The smallest index whose id repeats an earlier entry's, or -1; the
  // repeated id in `*id` when found.
  int64_t FirstRepeat(std::string* id);

 private:
  struct Entry {
    uint64_t hi, lo;  // the id, big-endian halves
    int64_t index;
  };
  std::vector<Entry> ids_;
};

}  // namespace docbus::audit::internal
