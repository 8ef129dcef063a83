#include "bus/audit/checkpoint.h"

#include <charconv>
#include <vector>

#include "bus/audit/note_signer.h"
#include "bus/audit/proof.h"

namespace docbus::audit {

std::string FormatCheckpoint(const Checkpoint& checkpoint) {
  return checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
         HashToBase64(checkpoint.root) + "\n";
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  Status valid = CheckNoteText(text);
  if (!valid.ok()) {
    return Status(Code::kMalformed, "checkpoint: " + valid.message());
  }
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  if (lines.size() < 3) {
    return Status(Code::kMalformed, "checkpoint has fewer than three lines");
  }
  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);
  if (!IsValidNoteKeyName(lines[0])) {
    return Status(Code::kMalformed,
                  "checkpoint origin line is empty or holds a space or '+'");
  }
  std::string_view size = lines[1];
  bool digits = !size.empty() && size.size() <= 20;
  for (char c : size) digits = digits && c >= '0' && c <= '9';
  if (!digits || (size.size() > 1 && size[0] == '0')) {
    return Status(
        Code::kMalformed,
        "checkpoint size line is not a decimal without leading zeros");
  }
  auto [ptr, ec] =
      std::from_chars(size.data(), size.data() + size.size(), checkpoint.size);
  if (ec != std::errc() || ptr != size.data() + size.size()) {
    return Status(Code::kMalformed, "checkpoint size is out of range");
  }
  auto root = HashFromBase64(lines[2]);
  if (!root) {
    return Status(
        Code::kMalformed,
        "checkpoint root line is not 44 base64 characters of 32 bytes");
  }
  checkpoint.root = *root;
  return checkpoint;
}

Result<Checkpoint> OpenCheckpoint(const NoteVerifier& verifier,
                                  std::string_view signed_note) {
  DOCBUS_ASSIGN_OR_RETURN(std::string text, verifier.Open(signed_note));
  DOCBUS_ASSIGN_OR_RETURN(Checkpoint checkpoint, ParseCheckpoint(text));
  if (checkpoint.origin != verifier.name()) {
    return Status(Code::kSignerMismatch,
                  "checkpoint origin '" + checkpoint.origin +
                      "' is not the key's name '" + verifier.name() + "'");
  }
  return checkpoint;
}

Status CheckpointExtends(const Checkpoint& old, const Checkpoint& next,
                         std::span<const Hash> proof) {
  if (old.origin != next.origin) {
    return Status(Code::kInvalidArgument, "checkpoints of two logs: '" +
                                              old.origin + "' and '" +
                                              next.origin + "'");
  }
  if (next.size < old.size) {
    return Status(Code::kCorruption,
                  "checkpoint of size " + std::to_string(next.size) +
                      " is smaller than the known " + std::to_string(old.size));
  }
  if (old.size == 0) {
    if (old.root != EmptyTreeHash()) {
      return Status(Code::kCorruption,
                    "empty checkpoint with a non-empty root");
    }
    if (!proof.empty()) {
      return Status(Code::kInvalidArgument,
                    "a proof from the empty tree must be empty");
    }
    return Status::Ok();
  }
  return VerifyConsistency(old.size, next.size, old.root, next.root, proof);
}

}  // namespace docbus::audit
