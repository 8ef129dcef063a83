// PullStateStore: the pull state of every packet this agent received, as the
// national axis SDK sees it (pending until the agency's system says done),
// in its own small SQLite file, <data_dir>/vdxp.db, so that it survives a
// restart. A packet is a received document (docId = its message id) or a
// received status (docId = the status id). The file's tables and the state
// machine are described in agents/vdxp/README.md ("Pull state").
//
// A packet arrives pending. From pending, processing or fail the agency's
// system may move it to processing, done or fail; done is final. Every state
// but done is listed (fail puts a packet back in the list).
//
// Thread-safety: every call may be made from any thread (one mutex around
// the connection).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/sqlite_db.h"
#include "bus/core/status.h"

namespace docbus::agent::vdxp {

enum class PullState { kPending = 0, kProcessing = 1, kDone = 2, kFail = 3 };

enum class PacketKind { kDocument = 0, kStatus = 1 };

// "pending" | "processing" | "done" | "fail".
std::string_view PullStateName(PullState state);
// What a system may set, any case: "done", "fail", "processing".
// kInvalidField naming `field` otherwise.
Result<PullState> ParsePullState(std::string_view text, std::string_view field);
// The SDK's messagetype: "edoc" | "status".
std::string_view PacketKindName(PacketKind kind);

struct PulledPacket {
  std::string doc_id;
  PacketKind kind = PacketKind::kDocument;
  std::string from, to;
  int64_t received_unix_ms = 0;
  // A status: the document it is about and its code; 0 / "" for documents.
  std::string about;
  int code = 0;
  // Kept by the store.
  PullState state = PullState::kPending;
  int64_t updated_unix_ms = 0;
};

class PullStateStore {
 public:
  // Opens (creating when missing) the file. Errors: SqliteError's Status.
  static Result<std::unique_ptr<PullStateStore>> Open(
      const std::filesystem::path& file);

  // How far the packets of `kind` have been taken from the agent (0 at
  // first): the ListIncoming / ListStatusesReceived cursor.
  Result<int64_t> Cursor(PacketKind kind);
  // Adds `packets` as pending (one already known is left as it is) and moves
  // the cursor of `kind` to `cursor`, in one transaction: all or nothing.
  Status Add(PacketKind kind, const std::vector<PulledPacket>& packets,
             int64_t cursor);
  // Packets of `kind` not done (pending, processing, fail), oldest first.
  Result<std::vector<PulledPacket>> Listed(PacketKind kind, int64_t limit);
  Result<int64_t> CountListed(PacketKind kind);
  // kNotFound when this docId was never received.
  Result<PulledPacket> Get(std::string_view doc_id);
  // Moves a packet to `state` at `now_unix_ms`. done is final: done again is
  // Ok and changes nothing; anything else after done is kInvalidTransition.
  // kNotFound for an unknown docId. Nothing changes on an error.
  Status Update(std::string_view doc_id, PullState state, int64_t now_unix_ms);

 private:
  explicit PullStateStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  Result<std::vector<PulledPacket>> ReadPackets(SqliteQuery& query);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace docbus::agent::vdxp
