// OwnLogPublisher: publishes the agency's own audit log so that an auditor
// can compare it with the broker's (`docbus audit diff`). On first start it
// creates the log's Ed25519 note key, <data_dir>/log.key (0600), with the
// verifier key beside it in <data_dir>/log.vkey; the key is named after the
// log origin "agency.docbus/<agency id>". Publish signs a checkpoint of the
// log's current size when it grew, saves it in the store (own transaction)
// and exports the C2SP tlog-tiles to <data_dir>/log (tiles, entry bundles,
// then `checkpoint`; written by a TileWriter, off the loop).
//
// Thread-safety: loop thread only (it uses the store's connection).
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "agents/agent_store.h"
#include "bus/audit/audit_log.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/tile_writer.h"

namespace docbus::agent {

class OwnLogPublisher {
 public:
  // Loads (or creates) the note key in `data_dir`. kIoError if the key
  // cannot be written or read, kInvalidArgument if log.key does not parse.
  static Result<std::unique_ptr<OwnLogPublisher>> Open(
      const std::filesystem::path& data_dir, const std::string& origin,
      std::shared_ptr<spdlog::logger> logger);

  // Signs, saves and exports a checkpoint if the log has more entries than
  // the last published one (or the export lags behind). Storage and file
  // errors are returned; the next call retries.
  Status Publish(AgentStore& store, audit::AuditLog& log);

  const std::string& verifier_key() const { return signer_.verifier_key(); }
  static std::string Origin(std::string_view agency_id);

 private:
  OwnLogPublisher(audit::NoteSigner signer, std::filesystem::path tiles_dir,
                  std::shared_ptr<spdlog::logger> logger)
      : signer_(std::move(signer)),
        tiles_dir_(std::move(tiles_dir)),
        logger_(std::move(logger)) {}

  audit::NoteSigner signer_;
  std::filesystem::path tiles_dir_;
  std::shared_ptr<spdlog::logger> logger_;
  // Handed to tiles_; -1: nothing, or to hand over again.
  int64_t published_size_ = -1;
  std::unique_ptr<audit::TileWriter> tiles_;  // made by the first Publish
};

}  // namespace docbus::agent
