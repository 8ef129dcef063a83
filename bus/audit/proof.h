// RFC 9162 §2.1.3.2 / §2.1.4.2 proof verification, as in
// transparency-dev/merkle: the proof length is checked against (index, size)
// before anything is hashed, so garbage before or after a proof is refused.
// Pure functions; safe from any thread.
//
// Empty old tree: a consistency proof from size 0 proves nothing, so
// VerifyConsistency refuses old_size == 0 (kInvalidArgument), as
// transparency-dev does. Callers that hold a checkpoint of size 0 have no
// history to protect and simply accept any newer checkpoint (after checking
// that the old root is EmptyTreeHash()).
#pragma once

#include <cstdint>
#include <span>

#include "bus/audit/hash.h"
#include "bus/core/status.h"

namespace docbus::audit {

// Ok iff `proof` proves that `leaf` is leaf `index` of the tree of `size`
// leaves with root `root`. kInvalidArgument for index >= size or a proof of
// the wrong length; kCorruption when the recomputed root differs.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf,
                       std::span<const Hash> proof, const Hash& root);

// The root the proof implies, or the same errors as VerifyInclusion.
Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size,
                                    const Hash& leaf,
                                    std::span<const Hash> proof);

// Ok iff `proof` proves that the tree (size, root) extends the tree
// (old_size, old_root). Equal sizes need an empty proof and equal roots
// (and, for size 0, the root EmptyTreeHash()).
// kInvalidArgument for old_size == 0, old_size > size or a proof of the
// wrong length; kCorruption when a recomputed root differs (a fork).
Status VerifyConsistency(uint64_t old_size, uint64_t size, const Hash& old_root,
                         const Hash& root, std::span<const Hash> proof);

// Expected proof lengths for (index, size) and (old_size, size).
int InclusionProofLength(uint64_t index, uint64_t size);
int ConsistencyProofLength(uint64_t old_size, uint64_t size);

}  // namespace docbus::audit
