#include "bus/broker/checkpointer.h"

#include <fstream>
#include <sstream>

#include "bus/audit/checkpoint.h"
#include "bus/audit/merkle.h"
#include "bus/audit/note_verifier.h"
#include "bus/audit/tiles.h"
#include "bus/audit/tlog_proof.h"
#include "bus/broker/broker_metrics.h"

namespace docbus::broker {
namespace {

std::string ReadSmallFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

Checkpointer::Checkpointer(store::BrokerStore& store, audit::AuditLog& log,
                           audit::NoteSigner signer,
                           std::filesystem::path tiles_dir, int64_t interval_ms,
                           Metrics& metrics,
                           std::shared_ptr<spdlog::logger> logger)
    : store_(store),
      log_(log),
      signer_(std::move(signer)),
      tiles_dir_(std::move(tiles_dir)),
      interval_ms_(interval_ms),
      metrics_(metrics),
      logger_(std::move(logger)) {}

Status Checkpointer::Recover(int64_t now_monotonic_ms) {
  auto verifier = audit::NoteVerifier::FromVerifierKey(signer_.verifier_key());
  if (!verifier.ok()) return verifier.status();
  DOCBUS_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                          store_.LatestCheckpoint());
  audit::LogStorage& storage = store_.audit_storage();
  DOCBUS_ASSIGN_OR_RETURN(int64_t log_size, storage.Size());
  if (stored.has_value()) {
    auto text = verifier->Open(*stored);
    if (!text.ok()) {
      return Status(
          Code::kFailedPrecondition,
          "the latest stored checkpoint is not signed by audit.log_key (" +
              text.status().ToString() + ")");
    }
    DOCBUS_ASSIGN_OR_RETURN(audit::Checkpoint cp,
                            audit::ParseCheckpoint(*text));
    if (cp.origin != signer_.name()) {
      return Status(Code::kFailedPrecondition,
                    "the stored checkpoint is for origin '" + cp.origin +
                        "', not audit.origin '" + signer_.name() + "'");
    }
    if (static_cast<uint64_t>(log_size) < cp.size) {
      return Status(Code::kCorruption,
                    "audit log has " + std::to_string(log_size) +
                        " entries but checkpoint " + std::to_string(cp.size) +
                        " was signed: entries were removed");
    }
    auto root = audit::TreeHash(static_cast<int64_t>(cp.size), storage);
    if (!root.ok() || *root != cp.root) {
      return Status(
          Code::kCorruption,
          "audit log root at size " + std::to_string(cp.size) +
              " differs from the signed checkpoint: stored hashes were "
              "changed" +
              (root.ok() ? std::string()
                         : " (" + root.status().ToString() + ")"));
    }
    if (log_size > 0) {
      // The root covers hashes only; check the newest entry's bytes too.
      const int64_t last = log_size - 1;
      DOCBUS_ASSIGN_OR_RETURN(std::string entry, storage.ReadEntry(last));
      const int64_t index = audit::StoredHashIndex(0, last);
      DOCBUS_ASSIGN_OR_RETURN(
          std::vector<audit::Hash> leaf,
          storage.ReadHashes(std::span<const int64_t>(&index, 1)));
      if (leaf.size() != 1 || leaf[0] != audit::LeafHash(entry)) {
        return Status(Code::kCorruption,
                      "audit entry " + std::to_string(last) +
                          " does not match its stored leaf hash");
      }
    }
    size_ = cp.size;
    note_ = *stored;
  }
  // What the tiles folder already shows, if it is one of ours.
  uint64_t shown_size = 0;
  const std::string published = ReadSmallFile(tiles_dir_ / "checkpoint");
  if (!published.empty() && !note_.empty()) {
    auto shown = audit::OpenCheckpoint(*verifier, published);
    if (shown.ok() && shown->size <= size_) {
      shown_size = shown->size;
      published_ = published == note_;
    }
  }
  tiles_ = std::make_unique<audit::TileWriter>(tiles_dir_, shown_size);
  log_.Reload();
  DOCBUS_RETURN_IF_ERROR(MaybeCheckpoint(now_monotonic_ms, /*force=*/true));
  if (note_.empty()) {
    // An empty log: sign the empty tree so agents always get a checkpoint.
    DOCBUS_RETURN_IF_ERROR(SignAndSave(0, audit::EmptyTreeHash(), note_));
    published_ = false;
  }
  if (!published_) DOCBUS_RETURN_IF_ERROR(Publish());
  // At start a folder that cannot be written stops the broker, as before
  // the writing moved off the loop.
  tiles_->Flush();
  if (std::optional<Status> failed = tiles_->TakeFailure()) {
    return Status(failed->code(), "publishing tiles to " + tiles_dir_.string() +
                                      ": " + failed->message());
  }
  return Status::Ok();
}

Status Checkpointer::MaybeCheckpoint(int64_t now_monotonic_ms, bool force) {
  if (!force && now_monotonic_ms < next_due_ms_) return Status::Ok();
  next_due_ms_ = now_monotonic_ms + interval_ms_;
  if (std::optional<Status> failed = tiles_->TakeFailure()) {
    logger_->error("cannot publish tiles to {} (will retry): {}",
                   tiles_dir_.string(), failed->ToString());
    published_ = false;
  }
  DOCBUS_ASSIGN_OR_RETURN(int64_t size, log_.Size());
  metrics_.Set(metric::kAuditLogSize, "", static_cast<double>(size));
  if (static_cast<uint64_t>(size) <= size_ && !note_.empty()) {
    return published_ ? Status::Ok() : Publish();
  }
  if (size == 0) return Status::Ok();
  DOCBUS_ASSIGN_OR_RETURN(audit::Hash root, log_.Root(size));
  std::string note;
  DOCBUS_RETURN_IF_ERROR(SignAndSave(static_cast<uint64_t>(size), root, note));
  size_ = static_cast<uint64_t>(size);
  note_ = std::move(note);
  published_ = false;
  metrics_.Set(metric::kCheckpointSize, "", static_cast<double>(size_));
  return Publish();
}

Status Checkpointer::SignAndSave(uint64_t size, const audit::Hash& root,
                                 std::string& note) {
  // Signed only inside a transaction the store let this broker open: on a
  // shared store that is the fence (only the active broker, and only while
  // no other has taken over, gets here), so two brokers never sign two trees
  // of one size. A note whose commit fails is dropped unseen.
  DOCBUS_RETURN_IF_ERROR(store_.Begin());
  std::string signed_note = signer_.Sign(audit::FormatCheckpoint(
      audit::Checkpoint{signer_.name(), size, root}));
  Status s = store_.SaveCheckpoint(size, signed_note);
  if (s.ok()) s = store_.Commit();
  if (!s.ok()) {
    (void)store_.Rollback();
    return s;
  }
  note = std::move(signed_note);
  return Status::Ok();
}

Status Checkpointer::Publish() {
  Status s = tiles_->Publish(store_.audit_storage(), size_, note_);
  if (!s.ok()) {
    logger_->error("cannot publish tiles to {}: {}", tiles_dir_.string(),
                   s.ToString());
    return s;
  }
  published_ = true;
  return Status::Ok();
}

Result<v1::CheckpointUpdate> Checkpointer::Update(uint64_t known_size) {
  if (note_.empty())
    return Status(Code::kUnavailable, "no checkpoint signed yet");
  v1::CheckpointUpdate update;
  update.set_checkpoint(note_);
  update.set_old_size(known_size);
  if (known_size > 0 && known_size < size_) {
    DOCBUS_ASSIGN_OR_RETURN(
        std::vector<audit::Hash> proof,
        log_.ConsistencyProof(static_cast<int64_t>(known_size),
                              static_cast<int64_t>(size_)));
    for (const audit::Hash& h : proof)
      update.add_consistency_proof(audit::HashBytes(h));
  }
  return update;
}

Result<std::string> Checkpointer::Proof(uint64_t index) {
  if (index >= size_) {
    return Status(Code::kUnavailable,
                  "audit index " + std::to_string(index) +
                      " is not covered by a checkpoint yet");
  }
  DOCBUS_ASSIGN_OR_RETURN(std::vector<audit::Hash> proof,
                          log_.InclusionProof(static_cast<int64_t>(index),
                                              static_cast<int64_t>(size_)));
  return audit::FormatTlogProof(index, proof, note_);
}

void Checkpointer::Defer(transport::Peer peer, uint64_t index) {
  deferred_.emplace_back(std::move(peer), index);
}

std::vector<std::pair<transport::Peer, uint64_t>> Checkpointer::TakeCovered() {
  std::vector<std::pair<transport::Peer, uint64_t>> covered;
  std::vector<std::pair<transport::Peer, uint64_t>> waiting;
  for (auto& request : deferred_) {
    (request.second < size_ ? covered : waiting).push_back(std::move(request));
  }
  deferred_ = std::move(waiting);
  return covered;
}

}  // namespace docbus::broker
