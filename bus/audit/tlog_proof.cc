#include "bus/audit/tlog_proof.h"

#include <charconv>

#include "bus/audit/proof.h"
#include "bus/core/base64.h"

namespace docbus::audit {
namespace {

// Longest proof of a tree of 2^64 leaves.
constexpr size_t kMaxProofHashes = 64;

}  // namespace

std::string FormatTlogProof(uint64_t index, std::span<const Hash> proof,
                            std::string_view signed_checkpoint) {
  std::string out(kTlogProofHeader);
  out += "\nindex " + std::to_string(index) + "\n";
  for (const Hash& h : proof) out += HashToBase64(h) + "\n";
  out += "\n";
  out.append(signed_checkpoint);
  return out;
}

Result<TlogProof> ParseTlogProof(std::string_view text) {
  auto next_line = [&](std::string_view* line) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return false;
    *line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    return true;
  };
  std::string_view line;
  if (!next_line(&line) || line != kTlogProofHeader) {
    return Status(Code::kMalformed, "tlog-proof does not start with " +
                                        std::string(kTlogProofHeader));
  }
  TlogProof proof;
  if (!next_line(&line))
    return Status(Code::kMalformed, "tlog-proof ends early");
  if (line.starts_with("extra ")) {
    auto extra = Base64Decode(line.substr(6));
    if (!extra)
      return Status(Code::kMalformed, "tlog-proof extra is not base64");
    proof.extra = std::move(*extra);
    if (!next_line(&line))
      return Status(Code::kMalformed, "tlog-proof ends early");
  }
  std::string_view index = line.starts_with("index ") ? line.substr(6) : "";
  bool digits = !index.empty() && (index.size() == 1 || index[0] != '0');
  for (char c : index) digits = digits && c >= '0' && c <= '9';
  auto [ptr, ec] =
      std::from_chars(index.data(), index.data() + index.size(), proof.index);
  if (!digits || ec != std::errc() || ptr != index.data() + index.size()) {
    return Status(Code::kMalformed, "tlog-proof index line is malformed");
  }
  while (true) {
    if (!next_line(&line)) {
      return Status(Code::kMalformed, "tlog-proof has no checkpoint");
    }
    if (line.empty()) break;
    auto h = HashFromBase64(line);
    if (!h) return Status(Code::kMalformed, "tlog-proof has a bad proof hash");
    if (proof.proof.size() == kMaxProofHashes) {
      return Status(Code::kMalformed, "tlog-proof has too many proof hashes");
    }
    proof.proof.push_back(*h);
  }
  if (text.empty())
    return Status(Code::kMalformed, "tlog-proof has no checkpoint");
  proof.signed_checkpoint = std::string(text);
  return proof;
}

Result<Checkpoint> VerifyTlogProof(std::string_view text,
                                   std::string_view entry,
                                   const NoteVerifier& verifier) {
  DOCBUS_ASSIGN_OR_RETURN(TlogProof proof, ParseTlogProof(text));
  DOCBUS_ASSIGN_OR_RETURN(Checkpoint checkpoint,
                          OpenCheckpoint(verifier, proof.signed_checkpoint));
  Status included =
      VerifyInclusion(proof.index, checkpoint.size, LeafHash(entry),
                      proof.proof, checkpoint.root);
  if (!included.ok()) {
    return Status(Code::kCorruption,
                  "tlog-proof does not prove the entry: " + included.message());
  }
  return checkpoint;
}

}  // namespace docbus::audit
