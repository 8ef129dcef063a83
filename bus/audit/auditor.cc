#include "bus/audit/auditor.h"

#include <chrono>
#include <ostream>
#include <vector>

#include "bus/audit/audit_history.h"
#include "bus/audit/exported_log.h"
#include "bus/audit/log_diff.h"
#include "bus/audit/log_verifier.h"
#include "bus/audit/merkle.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/proof.h"
#include "bus/audit/tlog_proof.h"
#include "bus/audit/witness_policy.h"
#include "bus/core/files.h"

namespace docbus::audit {
namespace {

constexpr int kOk = 0;
constexpr int kFail = 1;
constexpr int kUsage = 2;

// Key files hold one line; anything larger is not a key.
constexpr uint64_t kMaxKeyFileBytes = 64 * 1024;

Result<NoteVerifier> LoadVerifier(const std::filesystem::path& file) {
  DOCBUS_ASSIGN_OR_RETURN(std::string text,
                          ReadFileLimited(file, kMaxKeyFileBytes));
  auto verifier = NoteVerifier::FromVerifierKey(text);
  if (!verifier.ok()) {
    return Status(verifier.status().code(),
                  file.string() + ": " + verifier.status().message());
  }
  return verifier;
}

}  // namespace

int RunKeygen(const std::string& name, const std::filesystem::path& prefix,
              std::ostream& out, std::ostream& err) {
  auto keys = GenerateNoteKeys(name);
  if (!keys.ok()) {
    err << "docbus audit keygen: " << keys.status().message() << "\n";
    return kUsage;
  }
  std::filesystem::path key = prefix;
  key += ".key";
  std::filesystem::path vkey = prefix;
  vkey += ".vkey";
  std::error_code ec;
  if (std::filesystem::exists(key, ec) || std::filesystem::exists(vkey, ec)) {
    err << "docbus audit keygen: " << key.string() << " or " << vkey.string()
        << " already exists; not overwriting a log key\n";
    return kFail;
  }
  Status written = WriteFileAtomically(key, keys->signer_key + "\n", 0600);
  if (written.ok())
    written = WriteFileAtomically(vkey, keys->verifier_key + "\n", 0644);
  if (!written.ok()) {
    err << "docbus audit keygen: " << written.message() << "\n";
    return kFail;
  }
  out << "wrote " << key.string() << " (secret, mode 0600) and "
      << vkey.string() << "\nverifier key: " << keys->verifier_key << "\n";
  return kOk;
}

int RunVerify(const VerifyCommand& command, std::ostream& out,
              std::ostream& err) {
  auto verifier = LoadVerifier(command.vkey_file);
  if (!verifier.ok()) {
    err << "docbus audit verify: " << verifier.status().message() << "\n";
    return kUsage;
  }
  VerifyOptions options;
  if (command.previous_checkpoint_file) {
    auto previous =
        ReadFileLimited(*command.previous_checkpoint_file, kMaxNoteBytes);
    if (!previous.ok()) {
      err << "docbus audit verify: " << previous.status().message() << "\n";
      return kUsage;
    }
    options.previous_checkpoint = std::move(*previous);
  }
  std::optional<WitnessPolicy> policy;
  if (command.witness_policy_file) {
    Result<WitnessPolicy> loaded =
        WitnessPolicy::Load(*command.witness_policy_file);
    if (!loaded.ok()) {
      err << "docbus audit verify: " << loaded.status().message() << "\n";
      return kUsage;
    }
    policy = std::move(loaded).value();
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(command.dir, ec)) {
    err << "docbus audit verify: " << command.dir.string()
        << " is not a folder\n";
    return kUsage;
  }
  using Steady = std::chrono::steady_clock;
  Steady::time_point last = Steady::now();
  options.progress = [&](uint64_t done, uint64_t total) {
    if (Steady::now() - last < std::chrono::seconds(3)) return;
    last = Steady::now();
    err << "verified " << done << " of " << total << " entries\n" << std::flush;
  };
  VerifyReport report = VerifyExportedLog(command.dir, *verifier, options);
  std::optional<WitnessCheck> witnesses;
  if (policy) {
    // The note the tree was checked against; VerifyExportedLog read it too,
    // so a missing file has already failed the report.
    Result<std::string> note =
        ReadFileLimited(command.dir / "checkpoint", kMaxNoteBytes);
    witnesses = policy->Check(note.ok() ? *note : std::string());
    if (report.ok && !witnesses->met()) {
      report.ok = false;
      report.reason = "the checkpoint carries " +
                      std::to_string(witnesses->cosigned) + " of the " +
                      std::to_string(witnesses->quorum) +
                      " witness cosignatures the policy requires";
    }
  }
  if (command.json) {
    nlohmann::json j;
    j["ok"] = report.ok;
    j["origin"] = report.checkpoint.origin;
    j["size"] = report.checkpoint.size;
    j["root"] = HashToBase64(report.checkpoint.root);
    j["entries_checked"] = report.entries_checked;
    j["tiles_checked"] = report.tiles_checked;
    if (!report.ok) {
      j["first_bad_index"] = report.first_bad_index < 0
                                 ? nlohmann::json(nullptr)
                                 : nlohmann::json(report.first_bad_index);
      j["reason"] = report.reason;
    }
    if (witnesses) {
      nlohmann::json& w = j["witnesses"];
      w["quorum"] = witnesses->quorum;
      w["cosigned"] = witnesses->cosigned;
      w["met"] = witnesses->met();
      w["list"] = nlohmann::json::array();
      for (const WitnessCosignature& c : witnesses->witnesses) {
        nlohmann::json e{{"name", c.label},
                         {"key_name", c.key_name},
                         {"state", WitnessStateName(c.state)}};
        if (c.state == WitnessCosignature::State::kCosigned)
          e["time"] = c.time_s;
        if (!c.why.empty()) e["why"] = c.why;
        w["list"].push_back(std::move(e));
      }
    }
    out << j.dump(2) << "\n";
    return report.ok ? kOk : kFail;
  }
  if (witnesses) {
    out << "witnesses: " << witnesses->cosigned << " of "
        << witnesses->witnesses.size() << " cosigned, " << witnesses->quorum
        << " required\n";
    for (const WitnessCosignature& c : witnesses->witnesses) {
      out << "  " << c.label << " (" << c.key_name
          << "): " << WitnessStateName(c.state);
      if (c.state == WitnessCosignature::State::kCosigned)
        out << " at " << c.time_s;
      if (c.state == WitnessCosignature::State::kForged) out << ": " << c.why;
      out << "\n";
    }
  }
  if (report.ok) {
    out << "ok: " << report.checkpoint.origin << " size "
        << report.checkpoint.size << " root "
        << HashToBase64(report.checkpoint.root) << " ("
        << report.entries_checked << " entries, " << report.tiles_checked
        << " tiles checked)\n";
  } else {
    out << "FAIL";
    if (report.first_bad_index >= 0) {
      out << " at index " << report.first_bad_index;
    }
    out << ": " << report.reason << "\n";
  }
  return report.ok ? kOk : kFail;
}

int RunReplay(const std::filesystem::path& dir, bool json, std::ostream& out,
              std::ostream& err) {
  auto log = LoadExportedLog(dir);
  if (!log.ok()) {
    err << "docbus audit replay: " << log.status().message() << "\n";
    return log.status().code() == Code::kNotFound ? kUsage : kFail;
  }
  if (json) {
    out << Replay(*log).dump(2) << "\n";
  } else {
    out << ReplayText(*log);
  }
  return kOk;
}

int RunProve(const std::filesystem::path& dir, const std::string& message_id,
             const std::filesystem::path& vkey_file, std::ostream& out,
             std::ostream& err) {
  auto verifier = LoadVerifier(vkey_file);
  if (!verifier.ok()) {
    err << "docbus audit prove: " << verifier.status().message() << "\n";
    return kUsage;
  }
  auto log = LoadExportedLog(dir);
  if (!log.ok()) {
    err << "docbus audit prove: " << log.status().message() << "\n";
    return log.status().code() == Code::kNotFound ? kUsage : kFail;
  }
  auto checkpoint = OpenCheckpoint(*verifier, log->signed_checkpoint);
  if (!checkpoint.ok()) {
    err << "docbus audit prove: checkpoint: " << checkpoint.status().message()
        << "\n";
    return kFail;
  }
  int64_t index = -1;
  for (const LoadedRecord& r : log->records) {
    if (r.record.message_id() != message_id) continue;
    if (r.record.event() == v1::AUDIT_ACCEPTED) {
      index = r.index;
      break;
    }
    if (index < 0) index = r.index;
  }
  if (index < 0) {
    err << "docbus audit prove: no entry about message " << message_id << "\n";
    return kFail;
  }
  // The proof comes from the entries themselves, not the exported tiles,
  // and must lead to the signed root or nothing is printed.
  std::vector<Hash> leaves;
  leaves.reserve(log->entries.size());
  for (const std::string& entry : log->entries) {
    leaves.push_back(LeafHash(entry));
  }
  const std::vector<Hash> proof = InclusionProofOfHashes(index, leaves);
  Status included =
      VerifyInclusion(static_cast<uint64_t>(index), checkpoint->size,
                      leaves[index], proof, checkpoint->root);
  if (!included.ok()) {
    err << "docbus audit prove: the export does not prove entry " << index
        << ": " << included.message() << "\n";
    return kFail;
  }
  out << FormatTlogProof(static_cast<uint64_t>(index), proof,
                         log->signed_checkpoint);
  return kOk;
}

int RunTrace(const std::filesystem::path& dir, const std::string& id, bool json,
             std::ostream& out, std::ostream& err) {
  auto log = LoadExportedLog(dir);
  if (!log.ok()) {
    err << "docbus audit trace: " << log.status().message() << "\n";
    return log.status().code() == Code::kNotFound ? kUsage : kFail;
  }
  auto records = Trace(*log, id);
  if (json) {
    nlohmann::json j = nlohmann::json::array();
    for (const LoadedRecord* r : records) j.push_back(RecordJson(*r));
    out << j.dump(2) << "\n";
  } else {
    for (const LoadedRecord* r : records) out << RecordText(*r) << "\n";
  }
  if (records.empty()) {
    err << "docbus audit trace: the log has no entry about " << id << "\n";
    return kFail;
  }
  return kOk;
}

int RunDiff(const std::filesystem::path& broker_dir,
            const std::filesystem::path& agency_dir, const std::string& agency,
            bool json, std::ostream& out, std::ostream& err) {
  auto broker = LoadExportedLog(broker_dir);
  auto own = LoadExportedLog(agency_dir);
  for (const auto* loaded : {&broker, &own}) {
    if (!loaded->ok()) {
      err << "docbus audit diff: " << loaded->status().message() << "\n";
      return loaded->status().code() == Code::kNotFound ? kUsage : kFail;
    }
  }
  auto diff = DiffLogs(*broker, *own, agency);
  if (json) {
    out << DiffJson(diff).dump(2) << "\n";
  } else {
    out << DiffText(diff);
  }
  return diff.empty() ? kOk : kFail;
}

}  // namespace docbus::audit
