// The reader's lookups for the edXML bridge: documents by idempotency key
// and by DocumentId, the broker's hop of a received document, a received
// status's signed bytes. Same connection and mutex as the other views.
#include "agents/agent_store_reader.h"

namespace docbus::agent {
namespace {

// One text column of the first row of `sql` bound to `keys`; kNotFound
// naming `what` when there is none.
Result<std::string> FirstText(SqliteDb& db, const char* sql,
                              std::initializer_list<std::string_view> keys,
                              std::string_view what) {
  DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q, db.Prepare(sql));
  int i = 1;
  for (std::string_view key : keys) q->BindText(i++, key);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return Status(Code::kNotFound, std::string(what));
  return q->Blob(0);
}

}  // namespace

Result<std::string> AgentStoreReader::MessageIdForKey(std::string_view key) {
  std::lock_guard lock(mu_);
  return FirstText(
      *db_, "SELECT message_id FROM outbox_keys WHERE idempotency_key = ?",
      {key}, "no document with this idempotency key");
}

Result<std::string> AgentStoreReader::IncomingByDocumentId(
    std::string_view sender, std::string_view document_id) {
  std::lock_guard lock(mu_);
  return FirstText(*db_,
                   "SELECT message_id FROM inbox WHERE sender = ? AND "
                   "document_id = ? ORDER BY seq DESC LIMIT 1",
                   {sender, document_id},
                   "no received document of " + std::string(sender) +
                       " with this DocumentId");
}

Result<std::string> AgentStoreReader::SentByDocumentId(
    std::string_view document_id) {
  std::lock_guard lock(mu_);
  return FirstText(*db_,
                   "SELECT message_id FROM outbox WHERE kind = 0 AND "
                   "document_id = ? AND state != 2 ORDER BY seq DESC LIMIT 1",
                   {document_id}, "no sent document with this DocumentId");
}

Status AgentStoreReader::FillBrokerHop(IncomingDocument& document) {
  std::lock_guard lock(mu_);
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("SELECT accepted_unix_ms, relay_id FROM inbox_broker_hops"
                   " WHERE message_id = ?"));
  q->BindText(1, document.summary.message_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return Status::Ok();
  document.broker_accepted_unix_ms = q->Int(0);
  document.broker_relay_id = q->Text(1);
  return Status::Ok();
}

Result<std::string> AgentStoreReader::SignedStatusReceived(
    std::string_view status_id) {
  std::lock_guard lock(mu_);
  return FirstText(
      *db_, "SELECT signed_status FROM statuses_received WHERE status_id = ?",
      {status_id}, "no received status " + std::string(status_id));
}

Result<std::set<std::string>> AgentStoreReader::PendingAttachmentFiles() {
  std::lock_guard lock(mu_);
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q, db_->Prepare("SELECT attachment_sha256 FROM outbox"
                                  " WHERE state = 0 AND in_files = 1"));
  std::set<std::string> out;
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return out;
    const std::string digests = q->Blob(0);
    for (size_t at = 0; at + 32 <= digests.size(); at += 32) {
      out.insert(digests.substr(at, 32));
    }
  }
}

}  // namespace docbus::agent
