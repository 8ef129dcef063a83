// The Merkle tree of an audit log, stored as the sumdb linear array of
// hashes (golang.org/x/mod/sumdb/tlog): every leaf hash and every hash of a
// completed perfect subtree is appended once, never rewritten. From that
// array any root, inclusion proof and consistency proof is computed reading
// only O(log n) hashes. Functions are pure apart from the HashReader they
// are given; safe from any thread if the reader is.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bus/audit/hash.h"
#include "bus/core/status.h"

namespace docbus::audit {

// Reads stored hashes by their index in the linear layout (see
// StoredHashIndex). Returns exactly one hash per requested index, in order,
// or a non-ok Status (kNotFound for an index not stored, kIoError...).
class HashReader {
 public:
  virtual ~HashReader() = default;
  virtual Result<std::vector<Hash>> ReadHashes(
      std::span<const int64_t> stored_indexes) = 0;
};

// Index in the linear array of the n-th hash at `level` (level 0 = leaves;
// level L hash n covers leaves [n·2^L, (n+1)·2^L)).
int64_t StoredHashIndex(int level, int64_t n);
// Inverse of StoredHashIndex.
void SplitStoredHashIndex(int64_t index, int* level, int64_t* n);
// How many hashes are stored for a tree of `size` leaves.
int64_t StoredHashCount(int64_t size);
// The hashes to append when leaf `index` (= the current size) with leaf
// hash `leaf` is added: the leaf hash, then one hash per subtree it
// completes. Reads the left siblings it needs from `reader`.
Result<std::vector<Hash>> StoredHashesForRecord(int64_t index, const Hash& leaf,
                                                HashReader& reader);
// The stored indexes of the left siblings StoredHashesForRecord reads for
// leaf `index`, nearest (level 0) first.
std::vector<int64_t> StoredHashesNeededForRecord(int64_t index);

// The stored indexes of the tree's right edge (its compact range): the
// perfect subtrees covering the first `size` leaves, one per set bit of
// `size`, largest (leftmost) first.
std::vector<int64_t> EdgeIndexes(int64_t size);
// Root of a tree from the hashes of its edge, largest subtree first
// (EmptyTreeHash() for none).
Hash RootOfEdge(std::span<const Hash> edge);

// Root of the tree of the first `size` leaves (EmptyTreeHash() for 0).
Result<Hash> TreeHash(int64_t size, HashReader& reader);

// RFC 6962 inclusion proof of leaf `index` in the tree of `size` leaves,
// sibling of the leaf first. kInvalidArgument unless 0 <= index < size.
Result<std::vector<Hash>> InclusionProof(int64_t index, int64_t size,
                                         HashReader& reader);
// RFC 6962 consistency proof from `old_size` to `size`. Empty when the sizes
// are equal. kInvalidArgument unless 0 < old_size <= size.
Result<std::vector<Hash>> ConsistencyProof(int64_t old_size, int64_t size,
                                           HashReader& reader);

// Root of a perfect or imperfect tree given all its leaf-level hashes
// (RFC 6962 MTH over already-hashed leaves); EmptyTreeHash() for none.
Hash RootOfHashes(std::span<const Hash> hashes);
// The inclusion proof of leaf `index` in the tree of those hashes, as
// InclusionProof gives it, computed from the hashes alone (O(n)). Aborts
// unless 0 <= index < hashes.size().
std::vector<Hash> InclusionProofOfHashes(int64_t index,
                                         std::span<const Hash> hashes);

}  // namespace docbus::audit
