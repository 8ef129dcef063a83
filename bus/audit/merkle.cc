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

// Stored indexes needed for the hash of leaves [lo, hi): the perfect
// subtrees covering it, largest (leftmost) first.
void SubTreeIndex(int64_t lo, int64_t hi, std::vector<int64_t>* need) {
  while (lo < hi) {
    int level = 0;
    int64_t k = MaxPow2(hi - lo + 1, &level);
    if ((lo & (k - 1)) != 0) BadMath("SubTreeIndex");
    need->push_back(StoredHashIndex(level, lo >> level));
    lo += k;
  }
}

// Hash of leaves [lo, hi) from the hashes SubTreeIndex asked for, consumed
// from `*pos`.
Result<Hash> SubTreeHash(int64_t lo, int64_t hi,
                         const std::vector<Hash>& hashes, size_t* pos) {
  size_t count = 0;
  while (lo < hi) {
    int64_t k = MaxPow2(hi - lo + 1, nullptr);
    if ((lo & (k - 1)) != 0) BadMath("SubTreeHash");
    ++count;
    lo += k;
  }
  if (count == 0 || *pos + count > hashes.size()) BadMath("SubTreeHash");
  Hash h = hashes[*pos + count - 1];
  for (size_t i = count - 1; i-- > 0;) h = NodeHash(hashes[*pos + i], h);
  *pos += count;
  return h;
}

void LeafProofIndex(int64_t lo, int64_t hi, int64_t n,
                    std::vector<int64_t>* need) {
  if (!(lo <= n && n < hi)) BadMath("LeafProofIndex");
  if (lo + 1 == hi) return;
  int64_t k = MaxPow2(hi - lo, nullptr);
  if (n < lo + k) {
    LeafProofIndex(lo, lo + k, n, need);
    SubTreeIndex(lo + k, hi, need);
  } else {
    SubTreeIndex(lo, lo + k, need);
    LeafProofIndex(lo + k, hi, n, need);
  }
}

void LeafProof(int64_t lo, int64_t hi, int64_t n,
               const std::vector<Hash>& hashes, size_t* pos,
               std::vector<Hash>* proof) {
  if (lo + 1 == hi) return;
  int64_t k = MaxPow2(hi - lo, nullptr);
  Hash sibling;
  if (n < lo + k) {
    LeafProof(lo, lo + k, n, hashes, pos, proof);
    sibling = *SubTreeHash(lo + k, hi, hashes, pos);
  } else {
    sibling = *SubTreeHash(lo, lo + k, hashes, pos);
    LeafProof(lo + k, hi, n, hashes, pos, proof);
  }
  proof->push_back(sibling);
}

void TreeProofIndex(int64_t lo, int64_t hi, int64_t n,
                    std::vector<int64_t>* need) {
  if (!(lo < n && n <= hi)) BadMath("TreeProofIndex");
  if (n == hi) {
    if (lo != 0) SubTreeIndex(lo, hi, need);
    return;
  }
  int64_t k = MaxPow2(hi - lo, nullptr);
  if (n <= lo + k) {
    TreeProofIndex(lo, lo + k, n, need);
    SubTreeIndex(lo + k, hi, need);
  } else {
    SubTreeIndex(lo, lo + k, need);
    TreeProofIndex(lo + k, hi, n, need);
  }
}

void TreeProof(int64_t lo, int64_t hi, int64_t n,
               const std::vector<Hash>& hashes, size_t* pos,
               std::vector<Hash>* proof) {
  if (n == hi) {
    if (lo != 0) proof->push_back(*SubTreeHash(lo, hi, hashes, pos));
    return;
  }
  int64_t k = MaxPow2(hi - lo, nullptr);
  Hash other;
  if (n <= lo + k) {
    TreeProof(lo, lo + k, n, hashes, pos, proof);
    other = *SubTreeHash(lo + k, hi, hashes, pos);
  } else {
    other = *SubTreeHash(lo, lo + k, hashes, pos);
    TreeProof(lo + k, hi, n, hashes, pos, proof);
  }
  proof->push_back(other);
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

Result<Hash> TreeHash(int64_t size, HashReader& reader) {
  if (size < 0) return Status(Code::kInvalidArgument, "negative tree size");
  if (size == 0) return EmptyTreeHash();
  std::vector<int64_t> indexes;
  SubTreeIndex(0, size, &indexes);
  DOCBUS_ASSIGN_OR_RETURN(std::vector<Hash> hashes,
                          ReadExactly(reader, indexes));
  size_t pos = 0;
  DOCBUS_ASSIGN_OR_RETURN(Hash root, SubTreeHash(0, size, hashes, &pos));
  if (pos != hashes.size()) BadMath("TreeHash");
  return root;
}

Result<std::vector<Hash>> InclusionProof(int64_t index, int64_t size,
                                         HashReader& reader) {
  if (index < 0 || size < 0 || index >= size) {
    return Status(Code::kInvalidArgument, "no leaf " + std::to_string(index) +
                                              " in a tree of size " +
                                              std::to_string(size));
  }
  std::vector<int64_t> indexes;
  LeafProofIndex(0, size, index, &indexes);
  DOCBUS_ASSIGN_OR_RETURN(std::vector<Hash> hashes,
                          ReadExactly(reader, indexes));
  std::vector<Hash> proof;
  size_t pos = 0;
  LeafProof(0, size, index, hashes, &pos, &proof);
  if (pos != hashes.size()) BadMath("InclusionProof");
  return proof;
}

Result<std::vector<Hash>> ConsistencyProof(int64_t old_size, int64_t size,
                                           HashReader& reader) {
  if (old_size < 1 || size < 1 || old_size > size) {
    return Status(Code::kInvalidArgument, "no consistency proof from size " +
                                              std::to_string(old_size) +
                                              " to " + std::to_string(size));
  }
  std::vector<int64_t> indexes;
  TreeProofIndex(0, size, old_size, &indexes);
  DOCBUS_ASSIGN_OR_RETURN(std::vector<Hash> hashes,
                          ReadExactly(reader, indexes));
  std::vector<Hash> proof;
  size_t pos = 0;
  TreeProof(0, size, old_size, hashes, &pos, &proof);
  if (pos != hashes.size()) BadMath("ConsistencyProof");
  return proof;
}

Hash RootOfHashes(std::span<const Hash> hashes) {
  if (hashes.empty()) return EmptyTreeHash();
  // Fold as a compact range: stack of perfect-subtree roots.
  std::vector<Hash> stack;
  std::vector<int> levels;
  for (const Hash& h : hashes) {
    Hash cur = h;
    int level = 0;
    while (!levels.empty() && levels.back() == level) {
      cur = NodeHash(stack.back(), cur);
      stack.pop_back();
      levels.pop_back();
      ++level;
    }
    stack.push_back(cur);
    levels.push_back(level);
  }
  Hash root = stack.back();
  for (size_t i = stack.size() - 1; i-- > 0;) root = NodeHash(stack[i], root);
  return root;
}

}  // namespace docbus::audit
