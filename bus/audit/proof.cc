#include "bus/audit/proof.h"

#include <bit>
#include <string>

namespace docbus::audit {
namespace {

// Number of levels where the paths to `index` and to `size - 1` differ
// (the "inner" part of a proof), per transparency-dev/merkle.
int InnerProofSize(uint64_t index, uint64_t size) {
  return std::bit_width(index ^ (size - 1));
}

Status WrongLength(size_t got, int want) {
  return Status(Code::kInvalidArgument, "proof has " + std::to_string(got) +
                                            " hashes, want " +
                                            std::to_string(want));
}

// Folds the inner part of an inclusion proof (hashes below the levels where
// `index` is the right border of the tree).
Hash ChainInner(Hash seed, std::span<const Hash> proof, uint64_t index) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (((index >> i) & 1) == 0) {
      seed = NodeHash(seed, proof[i]);
    } else {
      seed = NodeHash(proof[i], seed);
    }
  }
  return seed;
}

// Like ChainInner, but only the left siblings (for the old root of a
// consistency proof).
Hash ChainInnerRight(Hash seed, std::span<const Hash> proof, uint64_t index) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (((index >> i) & 1) == 1) seed = NodeHash(proof[i], seed);
  }
  return seed;
}

Hash ChainBorderRight(Hash seed, std::span<const Hash> proof) {
  for (const Hash& h : proof) seed = NodeHash(h, seed);
  return seed;
}

// kCorruption unless a consistency proof led to the `which` root expected.
Status ExpectRoot(const char* which, const Hash& got, const Hash& want) {
  if (got == want) return Status::Ok();
  return Status(Code::kCorruption, std::string("consistency proof leads to ") +
                                       which + " " + HashToHex(got) +
                                       ", expected " + HashToHex(want));
}

}  // namespace

int InclusionProofLength(uint64_t index, uint64_t size) {
  if (index >= size) return -1;
  int inner = InnerProofSize(index, size);
  int border = std::popcount(index >> inner);
  return inner + border;
}

int ConsistencyProofLength(uint64_t old_size, uint64_t size) {
  if (old_size == 0 || old_size > size) return -1;
  if (old_size == size) return 0;
  int inner = InnerProofSize(old_size - 1, size);
  int border = std::popcount((old_size - 1) >> inner);
  int shift = std::countr_zero(old_size);
  // The proof carries the root of the perfect subtree ending at old_size - 1
  // unless that subtree is the whole old tree.
  int seed = old_size == (uint64_t{1} << shift) ? 0 : 1;
  return seed + (inner - shift) + border;
}

Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size,
                                    const Hash& leaf,
                                    std::span<const Hash> proof) {
  if (index >= size) {
    return Status(Code::kInvalidArgument, "index " + std::to_string(index) +
                                              " is beyond size " +
                                              std::to_string(size));
  }
  int inner = InnerProofSize(index, size);
  int border = std::popcount(index >> inner);
  if (proof.size() != static_cast<size_t>(inner + border)) {
    return WrongLength(proof.size(), inner + border);
  }
  Hash r = ChainInner(leaf, proof.first(inner), index);
  return ChainBorderRight(r, proof.subspan(inner));
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf,
                       std::span<const Hash> proof, const Hash& root) {
  DOCBUS_ASSIGN_OR_RETURN(Hash got,
                          RootFromInclusionProof(index, size, leaf, proof));
  if (got != root) {
    return Status(Code::kCorruption,
                  "inclusion proof leads to root " + HashToHex(got) +
                      ", checkpoint root is " + HashToHex(root));
  }
  return Status::Ok();
}

Status VerifyConsistency(uint64_t old_size, uint64_t size, const Hash& old_root,
                         const Hash& root, std::span<const Hash> proof) {
  if (old_size > size) {
    return Status(Code::kInvalidArgument,
                  "old size " + std::to_string(old_size) +
                      " is larger than size " + std::to_string(size));
  }
  if (old_size == size) {
    if (!proof.empty()) return WrongLength(proof.size(), 0);
    if (size == 0 && root != EmptyTreeHash()) {
      return Status(Code::kCorruption, "the empty tree has another root");
    }
    if (old_root != root) {
      return Status(Code::kCorruption,
                    "two different roots for size " + std::to_string(size));
    }
    return Status::Ok();
  }
  if (old_size == 0) {
    return Status(Code::kInvalidArgument,
                  "a consistency proof from the empty tree proves nothing");
  }
  // The proof starts with the root of the largest perfect subtree that
  // ends at old_size - 1, unless that subtree is the old tree itself.
  const int want = ConsistencyProofLength(old_size, size);
  if (proof.size() != static_cast<size_t>(want)) {
    return WrongLength(proof.size(), want);
  }
  const int shift = std::countr_zero(old_size);
  const uint64_t start = (old_size - 1) >> shift;
  const int inner = InnerProofSize(old_size - 1, size) - shift;
  Hash seed = old_root;
  std::span<const Hash> rest = proof;
  if (old_size != (uint64_t{1} << shift)) {
    seed = proof[0];
    rest = proof.subspan(1);
  }
  // Old root from the left siblings only; new root from all of them.
  const std::span<const Hash> below = rest.first(inner);
  const std::span<const Hash> border = rest.subspan(inner);
  DOCBUS_RETURN_IF_ERROR(ExpectRoot(
      "old root",
      ChainBorderRight(ChainInnerRight(seed, below, start), border),
      old_root));
  return ExpectRoot("root",
                    ChainBorderRight(ChainInner(seed, below, start), border),
                    root);
}

}  // namespace docbus::audit
