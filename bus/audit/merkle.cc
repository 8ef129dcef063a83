#include "bus/audit/merkle.h"

#include <bit>
#include <cstdio>
#include <cstdlib>

namespace docbus::audit {
namespace {

[[noreturn]] void BadMath(const char* where) {
  std::fprintf(stderr, "docbus audit: broken tree index math in %s\n", where);
  std::abort();
}

// k = the largest power of two strictly smaller than n (n >= 2), and log2 k.
int64_t MaxPow2(int64_t n, int* level) {
  int l = 0;
  while ((int64_t{1} << (l + 1)) < n) ++l;
  if (level != nullptr) *level = l;
  return int64_t{1} << l;
}

// Leaves [lo, hi) of the tree: one subtree whose hash a proof or root needs.
struct LeafRange {
  int64_t lo, hi;
};

// Stored indexes of the perfect subtrees covering leaves [lo, hi), largest
// (leftmost) first.
void SubTreeIndex(int64_t lo, int64_t hi, std::vector<int64_t>* need) {
  while (lo < hi) {
    int level = 0;
    int64_t k = MaxPow2(hi - lo + 1, &level);
    if ((lo & (k - 1)) != 0) BadMath("SubTreeIndex");
    need->push_back(StoredHashIndex(level, lo >> level));
    lo += k;
  }
}

// The subtrees whose hashes form the inclusion proof of leaf n in [lo, hi),
// in proof order (the leaf's sibling first).
void LeafProofRanges(int64_t lo, int64_t hi, int64_t n,
                     std::vector<LeafRange>* out) {
  if (!(lo <= n && n < hi)) BadMath("LeafProofRanges");
  if (lo + 1 == hi) return;
  int64_t k = MaxPow2(hi - lo, nullptr);
  if (n < lo + k) {
    LeafProofRanges(lo, lo + k, n, out);
    out->push_back({lo + k, hi});
  } else {
    LeafProofRanges(lo + k, hi, n, out);
    out->push_back({lo, lo + k});
  }
}

// The subtrees whose hashes form the consistency proof from the tree of n
// leaves to [lo, hi), in proof order.
void TreeProofRanges(int64_t lo, int64_t hi, int64_t n,
                     std::vector<LeafRange>* out) {
  if (!(lo < n && n <= hi)) BadMath("TreeProofRanges");
  if (n == hi) {
    if (lo != 0) out->push_back({lo, hi});
    return;
  }
  int64_t k = MaxPow2(hi - lo, nullptr);
  if (n <= lo + k) {
    TreeProofRanges(lo, lo + k, n, out);
    out->push_back({lo + k, hi});
  } else {
    TreeProofRanges(lo + k, hi, n, out);
    out->push_back({lo, lo + k});
  }
}

Result<std::vector<Hash>> ReadExactly(HashReader& reader,
                                      const std::vector<int64_t>& indexes) {
  if (indexes.empty()) return std::vector<Hash>{};
  DOCBUS_ASSIGN_OR_RETURN(std::vector<Hash> hashes, reader.ReadHashes(indexes));
  if (hashes.size() != indexes.size()) {
    return Status(Code::kCorruption,
                  "hash reader returned " + std::to_string(hashes.size()) +
                      " hashes for " + std::to_string(indexes.size()));
  }
  return hashes;
}

// The hash of each range, reading the stored hashes they need in one call.
Result<std::vector<Hash>> RangeHashes(const std::vector<LeafRange>& ranges,
                                      HashReader& reader) {
  std::vector<int64_t> indexes;
  std::vector<size_t> ends;  // per range, the end of its part of `indexes`
  ends.reserve(ranges.size());
  for (const LeafRange& r : ranges) {
    SubTreeIndex(r.lo, r.hi, &indexes);
    ends.push_back(indexes.size());
  }
  DOCBUS_ASSIGN_OR_RETURN(std::vector<Hash> stored,
                          ReadExactly(reader, indexes));
  std::vector<Hash> out;
  out.reserve(ranges.size());
  size_t begin = 0;
  for (size_t end : ends) {
    out.push_back(RootOfEdge(std::span(stored).subspan(begin, end - begin)));
    begin = end;
  }
  return out;
}

}  // namespace

int64_t StoredHashIndex(int level, int64_t n) {
  // Level L's n-th hash is written right after level L+1's (2n+1)-th hash.
  for (int l = level; l > 0; --l) n = 2 * n + 1;
  // Level 0's n-th hash is written at n + n/2 + n/4 + ...
  int64_t i = 0;
  for (; n > 0; n >>= 1) i += n;
  return i + level;
}

void SplitStoredHashIndex(int64_t index, int* level, int64_t* n) {
  // Find the level-0 hash stored at or before index, then walk up.
  int64_t x = index / 2;
  int64_t index_x = StoredHashIndex(0, x);
  if (index_x > index) BadMath("SplitStoredHashIndex");
  while (true) {
    int64_t next = StoredHashIndex(0, x + 1);
    if (next > index) break;
    x++;
    index_x = next;
  }
  // The hashes after level-0 hash x are the subtrees it completes.
  int l = static_cast<int>(index - index_x);
  *level = l;
  *n = x >> l;
}

int64_t StoredHashCount(int64_t size) {
  if (size == 0) return 0;
  int64_t count = StoredHashIndex(0, size - 1) + 1;
  for (uint64_t i = static_cast<uint64_t>(size - 1); (i & 1) != 0; i >>= 1) {
    ++count;
  }
  return count;
}

std::vector<int64_t> StoredHashesNeededForRecord(int64_t index) {
  int m = std::countr_zero(static_cast<uint64_t>(index + 1));
  std::vector<int64_t> indexes(m);
  for (int i = 0; i < m; ++i) {
    indexes[i] = StoredHashIndex(i, (index >> i) - 1);
  }
  return indexes;
}

Result<std::vector<Hash>> StoredHashesForRecord(int64_t index, const Hash& leaf,
                                                HashReader& reader) {
  if (index < 0) return Status(Code::kInvalidArgument, "negative index");
  std::vector<int64_t> indexes = StoredHashesNeededForRecord(index);
  DOCBUS_ASSIGN_OR_RETURN(std::vector<Hash> old, ReadExactly(reader, indexes));
  std::vector<Hash> hashes;
  hashes.reserve(indexes.size() + 1);
  hashes.push_back(leaf);
  Hash h = leaf;
  for (const Hash& left : old) {
    h = NodeHash(left, h);
    hashes.push_back(h);
  }
  return hashes;
}

std::vector<int64_t> EdgeIndexes(int64_t size) {
  std::vector<int64_t> indexes;
  SubTreeIndex(0, size, &indexes);
  return indexes;
}

Hash RootOfEdge(std::span<const Hash> edge) {
  if (edge.empty()) return EmptyTreeHash();
  Hash root = edge.back();
  for (size_t i = edge.size() - 1; i-- > 0;) root = NodeHash(edge[i], root);
  return root;
}

Result<Hash> TreeHash(int64_t size, HashReader& reader) {
  if (size < 0) return Status(Code::kInvalidArgument, "negative tree size");
  if (size == 0) return EmptyTreeHash();
  DOCBUS_ASSIGN_OR_RETURN(std::vector<Hash> root,
                          RangeHashes({{0, size}}, reader));
  return root[0];
}

Result<std::vector<Hash>> InclusionProof(int64_t index, int64_t size,
                                         HashReader& reader) {
  if (index < 0 || size < 0 || index >= size) {
    return Status(Code::kInvalidArgument, "no leaf " + std::to_string(index) +
                                              " in a tree of size " +
                                              std::to_string(size));
  }
  std::vector<LeafRange> ranges;
  LeafProofRanges(0, size, index, &ranges);
  return RangeHashes(ranges, reader);
}

Result<std::vector<Hash>> ConsistencyProof(int64_t old_size, int64_t size,
                                           HashReader& reader) {
  if (old_size < 1 || size < 1 || old_size > size) {
    return Status(Code::kInvalidArgument, "no consistency proof from size " +
                                              std::to_string(old_size) +
                                              " to " + std::to_string(size));
  }
  std::vector<LeafRange> ranges;
  TreeProofRanges(0, size, old_size, &ranges);
  return RangeHashes(ranges, reader);
}

Hash RootOfHashes(std::span<const Hash> hashes) {
  // Fold as a compact range: the roots of the perfect subtrees so far, with
  // their heights; equal heights merge.
  std::vector<Hash> edge;
  std::vector<int> heights;
  for (const Hash& h : hashes) {
    Hash cur = h;
    int height = 0;
    while (!heights.empty() && heights.back() == height) {
      cur = NodeHash(edge.back(), cur);
      edge.pop_back();
      heights.pop_back();
      ++height;
    }
    edge.push_back(cur);
    heights.push_back(height);
  }
  return RootOfEdge(edge);
}

std::vector<Hash> InclusionProofOfHashes(int64_t index,
                                         std::span<const Hash> hashes) {
  std::vector<LeafRange> ranges;
  LeafProofRanges(0, static_cast<int64_t>(hashes.size()), index, &ranges);
  std::vector<Hash> proof;
  proof.reserve(ranges.size());
  for (const LeafRange& r : ranges) {
    proof.push_back(RootOfHashes(hashes.subspan(
        static_cast<size_t>(r.lo), static_cast<size_t>(r.hi - r.lo))));
  }
  return proof;
}

}  // namespace docbus::audit
