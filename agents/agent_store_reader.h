// AgentStoreReader: the read-only views of the agent's store that the
// service facade answers with (sent documents with their receipts and
// statuses and each recipient's lifecycle, the inbox with each document's
// lifecycle, statuses received), on its own read-only SQLite
// connection so that readers never wait for the loop's write transactions
// (WAL: a reader sees the last committed state).
//
// Thread-safety: all calls are serialized by an internal mutex; safe from
// any thread. Errors: kNotFound for an unknown id, kIoError (SQLite's
// message) on a storage failure, kCorruption for a stored header that no
// longer parses.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "agents/agent_service.h"
#include "agents/agent_store.h"
#include "agents/attachment_files.h"
#include "bus/core/sqlite_db.h"
#include "bus/document/status_rules.h"

namespace docbus::agent {

class AgentStoreReader {
 public:
  // The database must exist (AgentStore::Open creates it).
  static Result<std::unique_ptr<AgentStoreReader>> Open(
      const std::filesystem::path& data_dir);

  Result<OutgoingView> Outgoing(std::string_view message_id);
  // The broker's answer alone (state, reason, detail, audit index, times:
  // one row, no notices), for a caller waiting for it; kNotFound.
  Result<OutgoingView> Answer(std::string_view message_id);
  Result<std::vector<OutgoingView>> ListOutgoing(int64_t limit);
  // Received documents matching `query` (AgentService::ListInbox).
  Result<std::vector<IncomingSummary>> ListInbox(const InboxQuery& query);
  Result<std::vector<IncomingSummary>> ListIncoming(int64_t after_seq,
                                                    int64_t limit);
  Result<IncomingDocument> Incoming(std::string_view message_id);
  Result<std::vector<StatusView>> ListStatusesReceived(int64_t after_seq,
                                                       int64_t limit);
  // The outbox entry (without its frame), for ReportStatus; kNotFound.
  Result<OutboxEntry> OutboxEntryOf(std::string_view message_id);
  // The parsed header of a received document, for ReportStatus; kNotFound.
  Result<v1::DocumentHeader> IncomingHeader(std::string_view message_id);
  // Where a document stands for one recipient as this agent knows it, for
  // ReportStatus's early refusals: a document it sent, for `recipient`
  // (SentLifecycle), or one it received, for itself (ReceivedLifecycle).
  // Statuses the broker refused do not count; those still pending do.
  Result<document::DocumentLifecycle> SentLifecycle(std::string_view message_id,
                                                    std::string_view recipient);
  Result<document::DocumentLifecycle> ReceivedLifecycle(
      std::string_view message_id);

  // Lookups of the edXML bridge (agent_store_lookups.cc); kNotFound.
  // The message id stored with a document's idempotency key.
  Result<std::string> MessageIdForKey(std::string_view key);
  // The received document `sender` sent as `document_id` (the latest).
  Result<std::string> IncomingByDocumentId(std::string_view sender,
                                           std::string_view document_id);
  // The document this agency sent as `document_id` and the broker did not
  // refuse (the latest).
  Result<std::string> SentByDocumentId(std::string_view document_id);
  // Fills the broker's hop of a received document (left 0 / "" when the
  // broker did not tell it).
  Status FillBrokerHop(IncomingDocument& document);
  // The exact SignedStatus bytes of a received status.
  Result<std::string> SignedStatusReceived(std::string_view status_id);
  // The SHA-256s (32 raw bytes) of the outbox files pending documents still
  // need (OutboxEntry::attachments_in_files).
  Result<std::set<std::string>> PendingAttachmentFiles();

 private:
  AgentStoreReader(std::unique_ptr<SqliteDb> db,
                   const std::filesystem::path& data_dir)
      : db_(std::move(db)), files_(data_dir) {}
  Result<OutgoingView> OutgoingLocked(std::string_view message_id);
  Result<OutgoingView> AnswerLocked(std::string_view message_id);
  Result<std::vector<StatusView>> StatusesLocked(const std::string& sql,
                                                 std::string_view key,
                                                 int64_t after, int64_t limit);
  // The codes of the statuses this agent sent about `message_id` (to
  // `addressee` when not empty) that the broker did not refuse, in order.
  Result<std::vector<int32_t>> OwnStatusesLocked(std::string_view message_id,
                                                 std::string_view addressee);
  Result<document::DocumentLifecycle> SentLifecycleLocked(
      std::string_view message_id, std::string_view recipient,
      const std::vector<StatusView>& received);
  Result<document::DocumentLifecycle> ReceivedLifecycleLocked(
      std::string_view message_id, std::string_view sender);
  Result<IncomingLifecycle> IncomingLifecycleLocked(
      const IncomingSummary& summary);
  // Reads the inbox rows received since the last call into acting_.
  Status RefreshActingLocked();

  // A received document of `sender` acting on the DocumentId of an earlier
  // one (business type revoke / update / replace).
  struct Acting {
    v1::BusinessType type;
    std::string message_id;
  };

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_
  const AttachmentFileStore files_;
  // The inbox's revoke / update / replace documents by "sender\ntarget
  // DocumentId", in inbox order, and the inbox seq read up to; guarded by
  // mu_. Such documents are few: the map holds only them, and each inbox
  // header is parsed once per process.
  std::map<std::string, std::vector<Acting>> acting_;
  int64_t acting_seq_ = 0;
};

}  // namespace docbus::agent
