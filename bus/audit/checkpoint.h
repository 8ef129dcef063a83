// Checkpoints (c2sp.org/tlog-checkpoint): the signed statement "the log
// <origin> has <size> entries with root <root>", as note text:
//   <origin>\n<decimal size>\n<base64 root, 44 chars>\n
// Parsing is strict (no leading zeros or signs, canonical base64, no empty
// lines, no control characters); extension lines are accepted and ignored.
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "bus/audit/hash.h"
#include "bus/audit/note_verifier.h"
#include "bus/core/status.h"

namespace docbus::audit {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};

  bool operator==(const Checkpoint&) const = default;
};

// The note text of a checkpoint (ends in "\n").
std::string FormatCheckpoint(const Checkpoint& checkpoint);
// kMalformed naming the bad line.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// Verifies a signed checkpoint note with `verifier`, parses it, and checks
// that its origin equals the key name (kSignerMismatch otherwise). Errors of
// NoteVerifier::Open and ParseCheckpoint as returned.
Result<Checkpoint> OpenCheckpoint(const NoteVerifier& verifier,
                                  std::string_view signed_note);

// Whether checkpoint `next` extends `old` of the same log, given the
// consistency proof old.size → next.size (AuditLog::ConsistencyProof). This
// is the check an agent or auditor makes on each newer checkpoint:
//  - another origin: kInvalidArgument;
//  - next smaller than old (a rollback): kCorruption;
//  - old of size 0: ok iff old.root is the empty-tree root and the proof is
//    empty (nothing to protect; VerifyConsistency itself refuses size 0);
//  - otherwise VerifyConsistency (equal sizes need equal roots; a different
//    history is kCorruption).
Status CheckpointExtends(const Checkpoint& old, const Checkpoint& next,
                         std::span<const Hash> proof);

}  // namespace docbus::audit
