// Checkpointer: signs the broker's audit log and publishes it. Every
// checkpoint interval, when the log grew, it computes the root, formats a
// C2SP checkpoint, signs it with the log's note key, saves it in the store
// (its own small transaction, outside any loop turn) and publishes the tiles
// that changed plus the checkpoint to <data_dir>/log (written by a
// TileWriter, off the loop). It also answers the
// agents' CheckpointRequest (latest checkpoint + consistency proof) and
// ProofRequest (tlog-proof against the latest checkpoint; requests for an
// entry not yet covered wait for the next checkpoint).
//
// At start-up Recover() refuses a store whose log no longer matches the
// latest checkpoint it signed (a changed hash or entry, or a log shorter than
// the checkpoint), so the broker can never sign two inconsistent trees.
//
// Thread-safety: none; owned by the broker loop thread (it uses the store).
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bus/audit/audit_log.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/tile_writer.h"
#include "bus/core/metrics.h"
#include "bus/core/status.h"
#include "bus/store/broker_store.h"
#include "bus/transport/peer.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::broker {

class Checkpointer {
 public:
  Checkpointer(store::BrokerStore& store, audit::AuditLog& log,
               audit::NoteSigner signer, std::filesystem::path tiles_dir,
               int64_t interval_ms, Metrics& metrics,
               std::shared_ptr<spdlog::logger> logger);

  // Checks the stored log against the latest stored checkpoint:
  //   kCorruption         the root recomputed from the stored hashes (or the
  //                       last entry's leaf hash) differs, or the log is
  //                       smaller than the checkpoint;
  //   kFailedPrecondition the checkpoint is not signed by our key or names
  //                       another origin.
  // Then makes sure a checkpoint covering the whole log exists and the tiles
  // folder shows it. Other errors from the store / filesystem as returned.
  Status Recover(int64_t now_monotonic_ms);

  // Signs and publishes a checkpoint if the interval has passed (or `force`)
  // and the log grew. Must not be called inside a store transaction. On
  // failure nothing is signed and the next call retries.
  Status MaybeCheckpoint(int64_t now_monotonic_ms, bool force = false);
  // Monotonic time of the next due checkpoint.
  int64_t next_due_ms() const { return next_due_ms_; }

  uint64_t size() const { return size_; }
  const std::string& note() const { return note_; }

  // CheckpointUpdate from `known_size`: the latest checkpoint and, when
  // 0 < known_size < size, the consistency proof. A known_size above ours is
  // answered with no proof (the agent sees the log went backwards).
  // kUnavailable before the first checkpoint.
  Result<v1::CheckpointUpdate> Update(uint64_t known_size);
  // The c2sp.org/tlog-proof@v1 text of entry `index` against the latest
  // checkpoint; kUnavailable when the checkpoint does not cover it yet.
  Result<std::string> Proof(uint64_t index);

  // Proof requests waiting for a checkpoint that covers them.
  void Defer(transport::Peer peer, uint64_t index);
  // Takes the deferred requests now covered by the latest checkpoint.
  std::vector<std::pair<transport::Peer, uint64_t>> TakeCovered();
  size_t deferred() const { return deferred_.size(); }

 private:
  Status Publish();
  // Begin, sign the checkpoint of (size, root), save it, commit; `note` is
  // set only once committed.
  Status SignAndSave(uint64_t size, const audit::Hash& root, std::string& note);

  store::BrokerStore& store_;
  audit::AuditLog& log_;
  audit::NoteSigner signer_;
  std::filesystem::path tiles_dir_;
  int64_t interval_ms_;
  Metrics& metrics_;
  std::shared_ptr<spdlog::logger> logger_;

  uint64_t size_ = 0;  // of the latest signed checkpoint
  std::string note_;   // its signed note ("" before the first)
  std::unique_ptr<audit::TileWriter> tiles_;  // made by Recover
  bool published_ = false;                    // note_ is handed to tiles_
  int64_t next_due_ms_ = 0;
  std::vector<std::pair<transport::Peer, uint64_t>> deferred_;
};

}  // namespace docbus::broker
