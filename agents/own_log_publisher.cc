#include "agents/own_log_publisher.h"

#include <algorithm>

#include "bus/audit/checkpoint.h"
#include "bus/audit/note_verifier.h"
#include "bus/audit/tile_writer.h"
#include "bus/core/files.h"

namespace docbus::agent {
namespace {

// log.key and the checkpoint note are a few hundred bytes.
constexpr uint64_t kMaxSmallFile = 1 << 20;

}  // namespace

std::string OwnLogPublisher::Origin(std::string_view agency_id) {
  return "agency.docbus/" + std::string(agency_id);
}

Result<std::unique_ptr<OwnLogPublisher>> OwnLogPublisher::Open(
    const std::filesystem::path& data_dir, const std::string& origin,
    std::shared_ptr<spdlog::logger> logger) {
  const std::filesystem::path key_file = data_dir / "log.key";
  std::error_code ec;
  if (!std::filesystem::exists(key_file, ec)) {
    DOCBUS_ASSIGN_OR_RETURN(audit::NoteKeys keys,
                            audit::GenerateNoteKeys(origin));
    DOCBUS_RETURN_IF_ERROR(
        WriteFileAtomically(key_file, keys.signer_key + "\n", 0600));
    DOCBUS_RETURN_IF_ERROR(
        WriteFileAtomically(data_dir / "log.vkey", keys.verifier_key + "\n"));
    logger->info("created the own audit log key {} (verifier key in log.vkey)",
                 key_file.string());
  }
  DOCBUS_ASSIGN_OR_RETURN(std::string skey,
                          ReadFileLimited(key_file, kMaxSmallFile));
  while (!skey.empty() && (skey.back() == '\n' || skey.back() == '\r'))
    skey.pop_back();
  Result<audit::NoteSigner> signer = audit::NoteSigner::FromKey(skey);
  if (!signer.ok()) {
    return Status(Code::kInvalidArgument,
                  key_file.string() + ": " + signer.status().message());
  }
  if (signer->name() != origin) {
    return Status(Code::kInvalidArgument,
                  key_file.string() + ": key is named '" + signer->name() +
                      "', expected '" + origin + "'");
  }
  const std::filesystem::path vkey_file = data_dir / "log.vkey";
  if (!std::filesystem::exists(vkey_file, ec)) {
    DOCBUS_RETURN_IF_ERROR(
        WriteFileAtomically(vkey_file, signer->verifier_key() + "\n"));
  }
  return std::unique_ptr<OwnLogPublisher>(new OwnLogPublisher(
      std::move(signer).value(), data_dir / "log", std::move(logger)));
}

Status OwnLogPublisher::Publish(AgentStore& store, audit::AuditLog& log) {
  if (tiles_ == nullptr) {
    // Nothing exported yet (-1 below): export even an empty log.
    int64_t shown = -1;
    Result<std::string> note =
        ReadFileLimited(tiles_dir_ / "checkpoint", kMaxSmallFile);
    if (note.ok()) {
      DOCBUS_ASSIGN_OR_RETURN(
          audit::NoteVerifier verifier,
          audit::NoteVerifier::FromVerifierKey(signer_.verifier_key()));
      Result<audit::Checkpoint> cp = audit::OpenCheckpoint(verifier, *note);
      if (cp.ok()) {
        shown = static_cast<int64_t>(cp->size);
      } else {
        logger_->warn(
            "own log export {} has an unreadable checkpoint ({}); re-exporting",
            tiles_dir_.string(), cp.status().ToString());
        shown = 0;
      }
    }
    tiles_ = std::make_unique<audit::TileWriter>(
        tiles_dir_, static_cast<uint64_t>(std::max<int64_t>(shown, 0)));
    published_size_ = shown;
  }
  if (std::optional<Status> failed = tiles_->TakeFailure()) {
    published_size_ = -1;  // export again from what was written
    return *failed;
  }
  DOCBUS_ASSIGN_OR_RETURN(int64_t size, log.Size());
  if (size == published_size_) return Status::Ok();

  DOCBUS_ASSIGN_OR_RETURN(audit::Hash root, log.Root(size));
  const std::string note = signer_.Sign(audit::FormatCheckpoint(
      audit::Checkpoint{log.origin(), static_cast<uint64_t>(size), root}));
  DOCBUS_RETURN_IF_ERROR(store.Begin());
  Status saved =
      store.log_storage().SaveCheckpoint(static_cast<uint64_t>(size), note);
  if (saved.ok()) saved = store.Commit();
  if (!saved.ok()) {
    store.Rollback();
    return saved;
  }
  DOCBUS_RETURN_IF_ERROR(
      tiles_->Publish(store.log_storage(), static_cast<uint64_t>(size), note));
  published_size_ = size;
  return Status::Ok();
}

}  // namespace docbus::agent
