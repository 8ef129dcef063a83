// CheckpointTracker: the agent's watch on the broker's audit log, so that a
// broker that forks or rewrites its log is caught by the agencies it serves
// (agents/README.md, "The loop": Timers). It holds the latest broker
// checkpoint the agent accepted and judges each CheckpointUpdate: the note
// must be signed with the broker's log key (audit.broker_log_vkey) and name
// the expected origin; a larger tree must come with a valid consistency proof
// from the size we hold; an equal size must have an equal root; a smaller
// tree is never accepted (refused and logged as an error). A consistent
// update is stored (in the caller's transaction) and becomes the latest. An
// inconsistent one is a broker that forked or rewrote its log: it is logged
// as an error, counted in docbus_agent_checkpoint_inconsistent_total, and
// both signed checkpoints and the proof are written as evidence under
// <data_dir>/evidence/; the older checkpoint is kept.
//
// With a witness policy (audit.witness_policy) a newer, consistent checkpoint
// is accepted only when k of its n witnesses cosigned it; otherwise it is
// kUnwitnessed: the older one is kept (known_size does not move, so the
// broker keeps proving from it), docbus_agent_checkpoint_unwitnessed is 1
// until a witnessed one is accepted, and the change is logged once each way.
// A forged cosignature of a configured witness never counts and is counted
// per witness. Without a policy the tracker behaves as it did before.
//
// Thread-safety: loop thread only.
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "agents/agent_store.h"
#include "agents/broker_audit_status.h"
#include "bus/audit/checkpoint.h"
#include "bus/audit/note_verifier.h"
#include "bus/audit/witness_policy.h"
#include "bus/core/clock.h"
#include "bus/core/metrics.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::agent {

class CheckpointTracker {
 public:
  enum class Outcome {
    kAccepted,      // newer and consistent: now the latest
    kUnchanged,     // the same tree we hold
    kInconsistent,  // evidence of a fork or rollback; old one kept
    kRefused,       // not signed by the broker's key, wrong origin, bad proof
    kUnwitnessed,   // consistent but short of the witness quorum; old kept
  };

  using AuditState = BrokerAuditState;

  CheckpointTracker(audit::NoteVerifier verifier,
                    std::filesystem::path evidence_dir, const Clock& clock,
                    Metrics& metrics, std::shared_ptr<spdlog::logger> logger,
                    std::optional<audit::WitnessPolicy> witness_policy = {});

  // (Re)reads the latest accepted checkpoint from the store. kCorruption if
  // the stored note no longer verifies.
  Status Load(AgentStore& store);

  // Judges an update; on kAccepted the checkpoint is saved through `store`
  // inside the caller's open transaction. Non-ok only for storage failures.
  Result<Outcome> OnUpdate(const v1::CheckpointUpdate& update,
                           AgentStore& store);

  // The broker's log origin announced in Welcome; updates must match it.
  void set_expected_origin(std::string origin) {
    expected_origin_ = std::move(origin);
  }

  // Size of the latest accepted checkpoint (0 when none): the known_size of
  // the next CheckpointRequest.
  uint64_t known_size() const { return latest_ ? latest_->size : 0; }
  const std::optional<audit::Checkpoint>& latest() const { return latest_; }
  AuditState audit_state() const;
  // The same, readable from other threads; updated after each Load/OnUpdate.
  const BrokerAuditStatus& status() const { return status_; }

 private:
  Result<Outcome> Judge(const v1::CheckpointUpdate& update, AgentStore& store);
  Outcome Refuse(std::string_view reason, const std::string& why);
  Outcome Inconsistent(const std::string& why,
                       const v1::CheckpointUpdate& update);
  // Whether `note` (already consistent) meets the policy; logs and counts.
  bool Witnessed(const audit::Checkpoint& cp, const std::string& note);

  audit::NoteVerifier verifier_;
  std::filesystem::path evidence_dir_;
  const Clock& clock_;
  Metrics& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  std::string expected_origin_;
  std::optional<audit::Checkpoint> latest_;
  std::string latest_note_;
  int evidence_count_ = 0;  // evidence folders written by this tracker
  std::optional<audit::WitnessPolicy> policy_;
  bool unwitnessed_ = false;  // the newest consistent one lacked the quorum
  uint64_t newest_size_ = 0;
  BrokerAuditStatus status_;
};

}  // namespace docbus::agent
