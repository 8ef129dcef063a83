// WitnessPolicy: which witnesses (c2sp.org/tlog-witness) must have cosigned a
// broker checkpoint before an agent or an auditor believes it, as k of n
// configured verifier keys. A witness cosigns a checkpoint only after it has
// checked that it extends the last one it cosigned, so k independent
// cosignatures mean a split view would have to fool k of them.
//
// The policy file (FORMAT.md, "Witness policy") is plain TOML, shared by the
// agent (audit.witness_policy) and `docbus audit verify --witnesses`:
//   [witnesses]
//   quorum = 2
//   [[witnesses.witness]]
//   name = "audit-office"             # a label for reports and logs
//   vkey = "<witness verifier key>"   # cosignature.h, type 0x04
//
// Immutable after construction; safe to use from many threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/cosignature.h"
#include "bus/core/status.h"

namespace docbus::audit {

struct WitnessKey {
  std::string label;  // the policy's name for it (not secret)
  CosignatureVerifier verifier;
};

// What one checkpoint carries from one configured witness.
struct WitnessCosignature {
  enum class State { kCosigned, kMissing, kForged };
  std::string label;
  std::string key_name;  // the key's name (the note line's name)
  State state = State::kMissing;
  uint64_t time_s = 0;  // the cosignature's time when kCosigned
  std::string why;      // for kForged: what failed
};

struct WitnessCheck {
  int cosigned = 0;  // distinct configured witnesses with a valid line
  int quorum = 0;
  bool met() const { return cosigned >= quorum; }
  std::vector<WitnessCosignature> witnesses;  // in policy order
};

std::string_view WitnessStateName(WitnessCosignature::State state);

class WitnessPolicy {
 public:
  // kInvalidArgument when `witnesses` is empty, quorum is not in 1..n, or
  // two entries have the same key (one witness would count twice).
  static Result<WitnessPolicy> Create(std::vector<WitnessKey> witnesses,
                                      int quorum);
  // Parses the policy file text (above). kInvalidArgument naming the entry
  // and key that is wrong; never echoes more than the key's name.
  static Result<WitnessPolicy> Parse(std::string_view toml_text);
  static Result<WitnessPolicy> Load(const std::filesystem::path& file);

  // Which configured witnesses cosigned `signed_note` (the checkpoint with
  // the log's signature and cosignature lines appended). A line of a
  // configured key that does not verify is kForged and does not count;
  // lines of unknown keys are ignored. Never fails: a note that does not
  // parse has no cosignatures (every witness kMissing, with `why` set).
  WitnessCheck Check(std::string_view signed_note) const;

  int quorum() const { return quorum_; }
  size_t size() const { return witnesses_.size(); }

 private:
  WitnessPolicy(std::vector<WitnessKey> witnesses, int quorum)
      : witnesses_(std::move(witnesses)), quorum_(quorum) {}

  std::vector<WitnessKey> witnesses_;
  int quorum_ = 0;
};

}  // namespace docbus::audit
