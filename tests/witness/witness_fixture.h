// Test material for the witness: a log (its own note key and a Merkle tree
// built with bus/audit's code) that signs checkpoints and gives real
// consistency proofs, and the add-checkpoint body the protocol sends.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bus/audit/checkpoint.h"
#include "bus/audit/merkle.h"
#include "bus/audit/note_key.h"
#include "bus/audit/note_signer.h"

namespace docbus::witness::testing {

class TestTreeLog : public audit::HashReader {
 public:
  explicit TestTreeLog(std::string origin = "docbus.test/axis/2026",
                       std::string leaf_prefix = "record-")
      : origin_(std::move(origin)),
        leaf_prefix_(std::move(leaf_prefix)),
        keys_(*audit::GenerateNoteKeys(origin_)),
        signer_(*audit::NoteSigner::FromKey(keys_.signer_key)) {}
  // The same log key over other leaves: a fork the log's key signs.
  TestTreeLog Fork(std::string leaf_prefix) const {
    TestTreeLog other(origin_, std::move(leaf_prefix));
    other.keys_ = keys_;
    other.signer_ = signer_;
    return other;
  }

  void GrowTo(int64_t size) {
    while (size_ < size) {
      auto hashes = *audit::StoredHashesForRecord(
          size_, audit::LeafHash(leaf_prefix_ + std::to_string(size_)), *this);
      stored_.insert(stored_.end(), hashes.begin(), hashes.end());
      ++size_;
    }
  }
  Result<std::vector<audit::Hash>> ReadHashes(
      std::span<const int64_t> indexes) override {
    std::vector<audit::Hash> out;
    for (int64_t i : indexes) {
      if (i < 0 || i >= static_cast<int64_t>(stored_.size())) {
        return Status(Code::kNotFound, "no such hash");
      }
      out.push_back(stored_[static_cast<size_t>(i)]);
    }
    return out;
  }

  audit::Checkpoint CheckpointAt(int64_t size) {
    GrowTo(size);
    return {origin_, static_cast<uint64_t>(size), *audit::TreeHash(size, *this)};
  }
  std::string SignedCheckpoint(int64_t size) {
    return signer_.Sign(audit::FormatCheckpoint(CheckpointAt(size)));
  }
  std::vector<audit::Hash> Proof(int64_t old_size, int64_t size) {
    GrowTo(size);
    if (old_size == 0 || old_size == size) return {};
    return *audit::ConsistencyProof(old_size, size, *this);
  }
  // The add-checkpoint body from `old_size` to `size` with a real proof.
  std::string Body(int64_t old_size, int64_t size) {
    return BodyOf(old_size, Proof(old_size, size), SignedCheckpoint(size));
  }
  static std::string BodyOf(int64_t old_size, std::span<const audit::Hash> proof,
                            const std::string& signed_note) {
    std::string body = "old " + std::to_string(old_size) + "\n";
    for (const audit::Hash& h : proof) body += audit::HashToBase64(h) + "\n";
    return body + "\n" + signed_note;
  }

  const std::string& origin() const { return origin_; }
  const std::string& verifier_key() const { return keys_.verifier_key; }
  const audit::NoteSigner& signer() const { return signer_; }

 private:
  std::string origin_;
  std::string leaf_prefix_;
  audit::NoteKeys keys_;
  audit::NoteSigner signer_;
  std::vector<audit::Hash> stored_;
  int64_t size_ = 0;
};

}  // namespace docbus::witness::testing
