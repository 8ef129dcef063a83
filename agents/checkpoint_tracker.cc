#include "agents/checkpoint_tracker.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "agents/agent_metrics.h"
#include "bus/audit/hash.h"
#include "bus/audit/proof.h"
#include "bus/core/files.h"

namespace docbus::agent {

CheckpointTracker::CheckpointTracker(audit::NoteVerifier verifier,
                                     std::filesystem::path evidence_dir,
                                     const Clock& clock, Metrics& metrics,
                                     std::shared_ptr<spdlog::logger> logger,
                                     std::optional<audit::WitnessPolicy> policy)
    : verifier_(std::move(verifier)),
      evidence_dir_(std::move(evidence_dir)),
      clock_(clock),
      metrics_(metrics),
      logger_(std::move(logger)),
      policy_(std::move(policy)) {
  if (policy_) metrics_.Set(metric::kCheckpointUnwitnessed, "", 0);
  status_.Set(audit_state());
}

CheckpointTracker::AuditState CheckpointTracker::audit_state() const {
  return AuditState{policy_.has_value(), !unwitnessed_, known_size(),
                    std::max(newest_size_, known_size())};
}

bool CheckpointTracker::Witnessed(const audit::Checkpoint& cp,
                                  const std::string& note) {
  if (!policy_) return true;
  const audit::WitnessCheck check = policy_->Check(note);
  for (const audit::WitnessCosignature& w : check.witnesses) {
    if (w.state != audit::WitnessCosignature::State::kForged) continue;
    metrics_.Add(metric::kForgedCosignatures, Label("witness", w.label));
    logger_->error(
        "broker checkpoint of size {} carries a FORGED cosignature of witness "
        "'{}': {}",
        cp.size, w.label, w.why);
  }
  newest_size_ = std::max(newest_size_, cp.size);
  if (check.met()) {
    if (unwitnessed_) {
      logger_->info(
          "broker checkpoints are witnessed again: size {} has {} of {} "
          "cosignatures",
          cp.size, check.cosigned, check.quorum);
    }
    unwitnessed_ = false;
    metrics_.Set(metric::kCheckpointUnwitnessed, "", 0);
    return true;
  }
  metrics_.Add(metric::kCheckpointUnwitnessedTotal);
  metrics_.Set(metric::kCheckpointUnwitnessed, "", 1);
  if (!unwitnessed_) {
    logger_->warn(
        "broker checkpoint of size {} is UNWITNESSED ({} of {} required "
        "cosignatures); keeping the witnessed one of size {} until witnesses "
        "cosign a newer one",
        cp.size, check.cosigned, check.quorum, known_size());
  }
  unwitnessed_ = true;
  return false;
}

Status CheckpointTracker::Load(AgentStore& store) {
  latest_.reset();
  latest_note_.clear();
  DOCBUS_ASSIGN_OR_RETURN(std::optional<std::string> note,
                          store.BrokerCheckpoint());
  if (note.has_value()) {
    Result<audit::Checkpoint> cp = audit::OpenCheckpoint(verifier_, *note);
    if (!cp.ok()) {
      return Status(Code::kCorruption,
                    "stored broker checkpoint does not verify with "
                    "audit.broker_log_vkey: " +
                        cp.status().ToString());
    }
    latest_ = *cp;
    latest_note_ = *note;
  }
  metrics_.Set(metric::kCheckpointSize, "", static_cast<double>(known_size()));
  status_.Set(audit_state());
  return Status::Ok();
}

CheckpointTracker::Outcome CheckpointTracker::Refuse(std::string_view reason,
                                                     const std::string& why) {
  logger_->warn("broker checkpoint not accepted: {}", why);
  metrics_.Add(metric::kCheckpointRefused, Label("reason", reason));
  return Outcome::kRefused;
}

CheckpointTracker::Outcome CheckpointTracker::Inconsistent(
    const std::string& why, const v1::CheckpointUpdate& update) {
  metrics_.Add(metric::kCheckpointInconsistent);
  // The count keeps two forks seen in the same millisecond (one turn) from
  // sharing a folder, where the second would overwrite the first's evidence.
  const std::string name =
      "checkpoint-" + std::to_string(clock_.NowUnixMillis()) + "-" +
      std::to_string(known_size()) + "-" + std::to_string(++evidence_count_);
  const std::filesystem::path dir = evidence_dir_ / name;
  std::string proof = "old_size " + std::to_string(update.old_size()) + "\n";
  for (const std::string& h : update.consistency_proof()) {
    std::optional<audit::Hash> hash = audit::HashFromBytes(h);
    proof += hash ? audit::HashToBase64(*hash)
                  : "invalid:" + std::to_string(h.size());
    proof += "\n";
  }
  const std::string readme =
      "The broker presented a checkpoint (presented.checkpoint) that is not\n"
      "consistent with the one this agent had accepted (trusted.checkpoint).\n"
      "consistency.proof holds the proof it sent (base64 hashes).\nReason: " +
      why + "\n";
  const std::pair<const char*, std::string_view> files[] = {
      {"trusted.checkpoint", latest_note_},
      {"presented.checkpoint", update.checkpoint()},
      {"consistency.proof", proof},
      {"README", readme},
  };
  Status s = MakeDirectory(dir);
  for (const auto& [file, contents] : files) {
    if (s.ok()) s = WriteFileAtomically(dir / file, contents);
  }
  logger_->error(
      "broker log INCONSISTENT: {}; kept the checkpoint of size {}; evidence "
      "in {}{}",
      why, known_size(), dir.string(),
      s.ok() ? "" : " (writing it failed: " + s.ToString() + ")");
  return Outcome::kInconsistent;
}

Result<CheckpointTracker::Outcome> CheckpointTracker::OnUpdate(
    const v1::CheckpointUpdate& update, AgentStore& store) {
  Result<Outcome> outcome = Judge(update, store);
  status_.Set(audit_state());
  return outcome;
}

Result<CheckpointTracker::Outcome> CheckpointTracker::Judge(
    const v1::CheckpointUpdate& update, AgentStore& store) {
  Result<audit::Checkpoint> opened =
      audit::OpenCheckpoint(verifier_, update.checkpoint());
  if (!opened.ok()) {
    return Refuse(CodeName(opened.status().code()), opened.status().ToString());
  }
  const audit::Checkpoint& cp = *opened;
  if (!expected_origin_.empty() && cp.origin != expected_origin_) {
    return Refuse("origin", "origin '" + cp.origin + "' is not the broker's '" +
                                expected_origin_ + "'");
  }
  std::vector<audit::Hash> proof;
  for (const std::string& h : update.consistency_proof()) {
    std::optional<audit::Hash> hash = audit::HashFromBytes(h);
    if (!hash) return Refuse("malformed", "a proof hash is not 32 bytes");
    proof.push_back(*hash);
  }

  if (latest_.has_value()) {
    const audit::Checkpoint& old = *latest_;
    if (cp.origin != old.origin) {
      return Refuse("origin", "origin changed from '" + old.origin + "'");
    }
    if (cp.size < old.size) {
      return Inconsistent("size " + std::to_string(cp.size) +
                              " is smaller than " + std::to_string(old.size),
                          update);
    }
    if (cp.size == old.size) {
      if (cp.root == old.root) return Outcome::kUnchanged;
      return Inconsistent(
          "two different roots for size " + std::to_string(cp.size), update);
    }
    if (update.old_size() != old.size) {
      return Refuse("proof", "proof is from size " +
                                 std::to_string(update.old_size()) +
                                 ", we hold " + std::to_string(old.size));
    }
    if (old.size > 0) {
      Status consistent =
          audit::VerifyConsistency(old.size, cp.size, old.root, cp.root, proof);
      if (consistent.code() == Code::kCorruption) {
        return Inconsistent(consistent.message(), update);
      }
      if (!consistent.ok()) return Refuse("proof", consistent.ToString());
    }
  }
  if (!Witnessed(cp, update.checkpoint())) return Outcome::kUnwitnessed;
  DOCBUS_RETURN_IF_ERROR(
      store.SaveBrokerCheckpoint(cp.size, update.checkpoint()));
  latest_ = cp;
  latest_note_ = update.checkpoint();
  metrics_.Set(metric::kCheckpointSize, "", static_cast<double>(cp.size));
  return Outcome::kAccepted;
}

}  // namespace docbus::agent
