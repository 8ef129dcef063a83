// Inclusion receipts in the c2sp.org/tlog-proof@v1 text form:
//   c2sp.org/tlog-proof@v1\n
//   [extra <base64>\n]
//   index <decimal>\n
//   <base64 proof hash>\n ...        (leaf sibling first)
//   \n
//   <signed checkpoint note, verbatim>
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/checkpoint.h"
#include "bus/audit/hash.h"
#include "bus/audit/note_verifier.h"
#include "bus/core/status.h"

namespace docbus::audit {

inline constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";

std::string FormatTlogProof(uint64_t index, std::span<const Hash> proof,
                            std::string_view signed_checkpoint);

struct TlogProof {
  std::optional<std::string> extra;  // decoded bytes of the extra line
  uint64_t index = 0;
  std::vector<Hash> proof;
  std::string signed_checkpoint;
};

// Strict parse; kMalformed naming the bad line.
Result<TlogProof> ParseTlogProof(std::string_view text);

// Parses `text`, opens its checkpoint with `verifier` and checks that `entry`
// (the exact entry bytes) is at the proof's index. Returns the checkpoint.
// kMalformed, kBadSignature, kSignerMismatch or kCorruption (proof does not
// match the root).
Result<Checkpoint> VerifyTlogProof(std::string_view text,
                                   std::string_view entry,
                                   const NoteVerifier& verifier);

}  // namespace docbus::audit
