// The logic of `docbus audit ...` (tools/audit_commands.cc only parses
// flags): each Run* function works on an exported tiles folder with no
// daemon running, writes its result to `out` and problems to `err`, and
// returns the exit code: 0 success (verify: pass; diff: no difference),
// 1 failure (verify: fail; diff: differences; prove/trace: not found),
// 2 usage (unreadable key file, bad folder, bad argument). Never prints key
// material. Safe to call from any thread with distinct streams.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

namespace docbus::audit {

// Writes <prefix>.key (mode 0600, the note signer key) and <prefix>.vkey
// (the verifier key) for log origin `name`. Refuses to overwrite a key.
int RunKeygen(const std::string& name, const std::filesystem::path& prefix,
              std::ostream& out, std::ostream& err);

struct VerifyCommand {
  std::filesystem::path dir;
  std::filesystem::path vkey_file;
  std::optional<std::filesystem::path> previous_checkpoint_file;
  bool json = false;
  // A witness policy file (witness_policy.h): the log's checkpoint must also
  // carry k of its n witnesses' valid cosignatures; each witness is reported
  // as cosigned (with its time), missing or forged.
  std::optional<std::filesystem::path> witness_policy_file;
};
// Full offline verification (log_verifier.h). Text or JSON report on `out`;
// progress lines on `err` every few seconds for large logs.
int RunVerify(const VerifyCommand& command, std::ostream& out,
              std::ostream& err);

// Each document's history, as text or JSON.
int RunReplay(const std::filesystem::path& dir, bool json, std::ostream& out,
              std::ostream& err);

// A c2sp.org/tlog-proof@v1 for the document's ACCEPTED entry (or, in an
// agent log, its first entry) against the exported checkpoint, verified
// before it is printed.
int RunProve(const std::filesystem::path& dir, const std::string& message_id,
             const std::filesystem::path& vkey_file, std::ostream& out,
             std::ostream& err);

// Every entry about a document (bus message id or edXML DocumentId).
int RunTrace(const std::filesystem::path& dir, const std::string& id, bool json,
             std::ostream& out, std::ostream& err);

// What the broker's log and the agency's log disagree on (log_diff.h).
int RunDiff(const std::filesystem::path& broker_dir,
            const std::filesystem::path& agency_dir, const std::string& agency,
            bool json, std::ostream& out, std::ostream& err);

}  // namespace docbus::audit
