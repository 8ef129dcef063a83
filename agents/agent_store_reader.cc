#include "agents/agent_store_reader.h"

namespace docbus::agent {
namespace {

constexpr int64_t kMaxPage = 10000;

int64_t ClampLimit(int64_t limit) {
  if (limit <= 0) return 100;
  return limit > kMaxPage ? kMaxPage : limit;
}

std::string_view StateName(OutboxState state) {
  switch (state) {
    case OutboxState::kAccepted:
      return "accepted";
    case OutboxState::kRejected:
      return "rejected";
    case OutboxState::kPending:
      break;
  }
  return "pending";
}

constexpr char kStatusColumns[] =
    "status_id, message_id, sender, addressee, code, description, "
    "created_unix_ms";

StatusView ReadStatus(const SqliteQuery& q) {
  StatusView s;
  s.status_id = q->Text(0);
  s.message_id = q->Text(1);
  s.from = q->Text(2);
  s.to = q->Text(3);
  s.code = static_cast<int>(q->Int(4));
  s.description = q->Text(5);
  s.created_unix_ms = q->Int(6);
  return s;
}

constexpr char kInboxSummaryColumns[] =
    "seq, message_id, sender, subject, document_id, priority, received_unix_ms";

IncomingSummary ReadSummary(const SqliteQuery& q) {
  IncomingSummary s;
  s.seq = q->Int(0);
  s.message_id = q->Text(1);
  s.sender = q->Text(2);
  s.subject = q->Text(3);
  s.document_id = q->Text(4);
  s.priority = static_cast<int>(q->Int(5));
  s.received_unix_ms = q->Int(6);
  return s;
}

// Ends the read transaction opened with BEGIN when the view is built.
struct ReadSnapshot {
  SqliteDb* db;
  ~ReadSnapshot() { (void)db->Rollback(); }
};

}  // namespace

Result<std::unique_ptr<AgentStoreReader>> AgentStoreReader::Open(
    const std::filesystem::path& data_dir) {
  DOCBUS_ASSIGN_OR_RETURN(
      auto db, SqliteDb::Open(AgentStore::DatabasePath(data_dir),
                              {.read_only = true,
                               .busy_timeout_ms = AgentStore::kBusyTimeoutMs}));
  return std::unique_ptr<AgentStoreReader>(
      new AgentStoreReader(std::move(db), data_dir));
}

Result<OutboxEntry> AgentStoreReader::OutboxEntryOf(
    std::string_view message_id) {
  std::lock_guard lock(mu_);
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare(
          "SELECT seq, kind, recipients, document_id, header_sha256, state"
          " FROM outbox WHERE message_id = ?"));
  q->BindText(1, message_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) {
    return Status(Code::kNotFound,
                  "no sent document " + std::string(message_id));
  }
  OutboxEntry e;
  e.message_id = std::string(message_id);
  e.seq = q->Int(0);
  e.kind = static_cast<OutboxKind>(q->Int(1));
  e.recipients = SplitLines(q->Text(2));
  e.document_id = q->Text(3);
  e.header_sha256 = q->Blob(4);
  e.state = static_cast<OutboxState>(q->Int(5));
  return e;
}

Result<v1::DocumentHeader> AgentStoreReader::IncomingHeader(
    std::string_view message_id) {
  std::lock_guard lock(mu_);
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("SELECT header FROM inbox WHERE message_id = ?"));
  q->BindText(1, message_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) {
    return Status(Code::kNotFound,
                  "no received document " + std::string(message_id));
  }
  v1::DocumentHeader header;
  if (!header.ParseFromString(q->Blob(0))) {
    return Status(
        Code::kCorruption,
        "stored header of " + std::string(message_id) + " does not parse");
  }
  return header;
}

Result<OutgoingView> AgentStoreReader::Outgoing(std::string_view message_id) {
  std::lock_guard lock(mu_);
  // One read transaction, so the document and its notices are consistent.
  DOCBUS_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  ReadSnapshot snapshot{db_.get()};
  return OutgoingLocked(message_id);
}

Result<OutgoingView> AgentStoreReader::Answer(std::string_view message_id) {
  std::lock_guard lock(mu_);
  return AnswerLocked(message_id);
}

Result<OutgoingView> AgentStoreReader::AnswerLocked(
    std::string_view message_id) {
  OutgoingView v;
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("SELECT state, reason, detail, audit_index, recipients,"
                   " created_unix_ms, answered_unix_ms FROM outbox"
                   " WHERE message_id = ? AND kind = 0"));
  q->BindText(1, message_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) {
    return Status(Code::kNotFound,
                  "no sent document " + std::string(message_id));
  }
  v.message_id = std::string(message_id);
  v.state = std::string(StateName(static_cast<OutboxState>(q->Int(0))));
  v.reason = q->Text(1);
  v.detail = q->Text(2);
  v.audit_index = q->Int(3);
  v.recipients = SplitLines(q->Text(4));
  v.submitted_unix_ms = q->Int(5);
  if (v.state == "accepted") v.accepted_unix_ms = q->Int(6);
  return v;
}

Result<OutgoingView> AgentStoreReader::OutgoingLocked(
    std::string_view message_id) {
  DOCBUS_ASSIGN_OR_RETURN(OutgoingView v, AnswerLocked(message_id));
  {
    DOCBUS_ASSIGN_OR_RETURN(
        SqliteQuery q,
        db_->Prepare("SELECT recipient, received_unix_ms, arrived_unix_ms"
                     " FROM receipts WHERE message_id = ?"
                     " ORDER BY received_unix_ms, recipient"));
    q->BindText(1, message_id);
    while (true) {
      DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      v.receipts.push_back(ReceiptView{q->Text(0), q->Int(1), q->Int(2)});
    }
  }
  DOCBUS_ASSIGN_OR_RETURN(
      v.statuses,
      StatusesLocked(
          std::string("SELECT ") + kStatusColumns +
              " FROM statuses_received WHERE message_id = ?1 AND seq > ?2"
              " ORDER BY seq LIMIT ?3",
          message_id, 0, kMaxPage));
  {
    DOCBUS_ASSIGN_OR_RETURN(
        SqliteQuery q, db_->Prepare("SELECT recipient FROM dead_letters WHERE "
                                    "message_id = ? ORDER BY recipient"));
    q->BindText(1, message_id);
    while (true) {
      DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      v.dead_letters.push_back(q->Text(0));
    }
  }
  for (const std::string& recipient : v.recipients) {
    DOCBUS_ASSIGN_OR_RETURN(
        document::DocumentLifecycle l,
        SentLifecycleLocked(message_id, recipient, v.statuses));
    v.lifecycle.push_back(RecipientLifecycle{
        recipient, std::string(l.StateName()), static_cast<int>(l.last_code)});
  }
  return v;
}

Result<std::vector<int32_t>> AgentStoreReader::OwnStatusesLocked(
    std::string_view message_id, std::string_view addressee) {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("SELECT status_code FROM outbox WHERE kind = 1 AND"
                   " about_message_id = ?1 AND state <> 2 AND"
                   " (?2 = '' OR recipients = ?2) ORDER BY seq"));
  q->BindText(1, message_id).BindText(2, addressee);
  std::vector<int32_t> codes;
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    codes.push_back(static_cast<int32_t>(q->Int(0)));
  }
  return codes;
}

Result<document::DocumentLifecycle> AgentStoreReader::SentLifecycleLocked(
    std::string_view message_id, std::string_view recipient,
    const std::vector<StatusView>& received) {
  DOCBUS_ASSIGN_OR_RETURN(std::vector<int32_t> own,
                          OwnStatusesLocked(message_id, recipient));
  int requests = 0;
  for (int32_t code : own) requests += code == v1::STATUS_REVOKE_REQUESTED;
  std::vector<int32_t> reported;
  for (const StatusView& s : received) {
    if (s.from == recipient) reported.push_back(s.code);
  }
  return document::LifecycleOf(requests, reported);
}

Result<document::DocumentLifecycle> AgentStoreReader::ReceivedLifecycleLocked(
    std::string_view message_id, std::string_view sender) {
  DOCBUS_ASSIGN_OR_RETURN(std::vector<int32_t> own,
                          OwnStatusesLocked(message_id, ""));
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("SELECT count(*) FROM statuses_received WHERE"
                   " message_id = ? AND sender = ? AND code = 13"));
  q->BindText(1, message_id).BindText(2, sender);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  const int requests = row ? static_cast<int>(q->Int(0)) : 0;
  return document::LifecycleOf(requests, own);
}

Result<document::DocumentLifecycle> AgentStoreReader::SentLifecycle(
    std::string_view message_id, std::string_view recipient) {
  std::lock_guard lock(mu_);
  DOCBUS_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  ReadSnapshot snapshot{db_.get()};
  DOCBUS_ASSIGN_OR_RETURN(
      std::vector<StatusView> received,
      StatusesLocked(
          std::string("SELECT ") + kStatusColumns +
              " FROM statuses_received WHERE message_id = ?1 AND seq > ?2"
              " ORDER BY seq LIMIT ?3",
          message_id, 0, kMaxPage));
  return SentLifecycleLocked(message_id, recipient, received);
}

Result<document::DocumentLifecycle> AgentStoreReader::ReceivedLifecycle(
    std::string_view message_id) {
  std::lock_guard lock(mu_);
  DOCBUS_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  ReadSnapshot snapshot{db_.get()};
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("SELECT sender FROM inbox WHERE message_id = ?"));
  q->BindText(1, message_id);
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) {
    return Status(Code::kNotFound,
                  "no received document " + std::string(message_id));
  }
  return ReceivedLifecycleLocked(message_id, q->Text(0));
}

Status AgentStoreReader::RefreshActingLocked() {
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("SELECT seq, message_id, sender, header FROM inbox"
                   " WHERE seq > ? ORDER BY seq"));
  q->Bind(1, acting_seq_);
  v1::DocumentHeader header;
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    acting_seq_ = q->Int(0);
    // A header that does not parse acts on nothing (Incoming says why).
    if (!header.ParseFromString(q->Blob(3)) ||
        header.business_type() == v1::BUSINESS_NEW ||
        header.business_target_document_id().empty()) {
      continue;
    }
    acting_[q->Text(2) + "\n" + header.business_target_document_id()].push_back(
        Acting{header.business_type(), q->Text(1)});
  }
  return Status::Ok();
}

Result<IncomingLifecycle> AgentStoreReader::IncomingLifecycleLocked(
    const IncomingSummary& summary) {
  DOCBUS_ASSIGN_OR_RETURN(
      document::DocumentLifecycle l,
      ReceivedLifecycleLocked(summary.message_id, summary.sender));
  IncomingLifecycle out;
  out.revoke = std::string(l.StateName());
  out.last_code = static_cast<int>(l.last_code);
  auto found = acting_.find(summary.sender + "\n" + summary.document_id);
  if (found != acting_.end()) {
    for (const Acting& a : found->second) {
      if (a.message_id == summary.message_id) continue;
      (a.type == v1::BUSINESS_REVOKE   ? out.revoked_by
       : a.type == v1::BUSINESS_UPDATE ? out.updated_by
                                       : out.replaced_by)
          .push_back(a.message_id);
    }
  }
  if (l.revoked || l.revoke_outstanding) {
    out.state = out.revoke;
  } else if (!out.revoked_by.empty()) {
    out.state = "revoked_by " + out.revoked_by.back();
  } else if (!out.replaced_by.empty()) {
    out.state = "replaced_by " + out.replaced_by.back();
  } else if (!out.updated_by.empty()) {
    out.state = "updated_by " + out.updated_by.back();
  } else {
    out.state = out.revoke;
  }
  return out;
}

Result<std::vector<OutgoingView>> AgentStoreReader::ListOutgoing(
    int64_t limit) {
  std::lock_guard lock(mu_);
  DOCBUS_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  ReadSnapshot snapshot{db_.get()};
  std::vector<std::string> ids;
  {
    DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q,
                            db_->Prepare("SELECT message_id FROM outbox WHERE "
                                         "kind = 0 ORDER BY seq DESC LIMIT ?"));
    q->Bind(1, ClampLimit(limit));
    while (true) {
      DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      ids.push_back(q->Text(0));
    }
  }
  std::vector<OutgoingView> out;
  out.reserve(ids.size());
  for (const std::string& id : ids) {
    DOCBUS_ASSIGN_OR_RETURN(OutgoingView v, OutgoingLocked(id));
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<IncomingSummary>> AgentStoreReader::ListIncoming(
    int64_t after_seq, int64_t limit) {
  InboxQuery query;
  query.after_seq = after_seq;
  query.limit = limit;
  return ListInbox(query);
}

Result<std::vector<IncomingSummary>> AgentStoreReader::ListInbox(
    const InboxQuery& query) {
  // Only the conditions given, each with its bound value; the indexes on
  // (sender, seq) and received_unix_ms serve the selective ones.
  std::string where = " WHERE seq > ?";
  if (!query.sender.empty()) where += " AND sender = ?";
  if (query.priority >= 0) where += " AND priority = ?";
  if (query.since_unix_ms >= 0) where += " AND received_unix_ms >= ?";
  if (query.until_unix_ms >= 0) where += " AND received_unix_ms < ?";
  if (query.state == "new" || query.state == "reported") {
    where += std::string(" AND ") + (query.state == "new" ? "NOT " : "") +
             "EXISTS (SELECT 1 FROM statuses_sent s"
             " WHERE s.message_id = inbox.message_id)";
  } else if (!query.state.empty()) {
    return Status(Code::kInvalidArgument,
                  "state: must be new or reported, not " + query.state);
  }
  std::lock_guard lock(mu_);
  DOCBUS_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  ReadSnapshot snapshot{db_.get()};
  std::vector<IncomingSummary> out;
  {
    DOCBUS_ASSIGN_OR_RETURN(
        SqliteQuery q,
        db_->Prepare(std::string("SELECT ") + kInboxSummaryColumns +
                     " FROM inbox" + where + " ORDER BY seq LIMIT ?"));
    int i = 1;
    q->Bind(i++, query.after_seq);
    if (!query.sender.empty()) q->BindText(i++, query.sender);
    if (query.priority >= 0) q->Bind(i++, int64_t{query.priority});
    if (query.since_unix_ms >= 0) q->Bind(i++, query.since_unix_ms);
    if (query.until_unix_ms >= 0) q->Bind(i++, query.until_unix_ms);
    q->Bind(i, ClampLimit(query.limit));
    while (true) {
      DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      out.push_back(ReadSummary(q));
    }
  }
  DOCBUS_RETURN_IF_ERROR(RefreshActingLocked());
  for (IncomingSummary& s : out) {
    DOCBUS_ASSIGN_OR_RETURN(s.lifecycle, IncomingLifecycleLocked(s));
  }
  return out;
}

Result<IncomingDocument> AgentStoreReader::Incoming(
    std::string_view message_id) {
  std::lock_guard lock(mu_);
  DOCBUS_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  ReadSnapshot snapshot{db_.get()};
  IncomingDocument d;
  {
    DOCBUS_ASSIGN_OR_RETURN(
        SqliteQuery q,
        db_->Prepare(std::string("SELECT ") + kInboxSummaryColumns +
                     ", header, signature FROM inbox WHERE message_id = ?"));
    q->BindText(1, message_id);
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) {
      return Status(Code::kNotFound,
                    "no received document " + std::string(message_id));
    }
    d.summary = ReadSummary(q);
    d.header_bytes = q->Blob(7);
    d.signature = q->Blob(8);
  }
  if (!d.header.ParseFromString(d.header_bytes)) {
    return Status(
        Code::kCorruption,
        "stored header of " + std::string(message_id) + " does not parse");
  }
  DOCBUS_RETURN_IF_ERROR(RefreshActingLocked());
  DOCBUS_ASSIGN_OR_RETURN(d.summary.lifecycle,
                          IncomingLifecycleLocked(d.summary));
  DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q,
                          db_->Prepare("SELECT name, media_type, data, in_file,"
                                       " sha256 FROM inbox_attachments"
                                       " WHERE message_id = ? ORDER BY idx"));
  q->BindText(1, message_id);
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    d.attachments.push_back(
        AttachmentInput{q->Text(0), q->Text(1), q->Blob(2)});
    d.attachment_files.push_back(q->Int(3) != 0 ? files_.PathOf(q->Blob(4))
                                                : std::filesystem::path());
  }
  return d;
}

Result<std::vector<StatusView>> AgentStoreReader::ListStatusesReceived(
    int64_t after_seq, int64_t limit) {
  std::lock_guard lock(mu_);
  return StatusesLocked(std::string("SELECT ") + kStatusColumns +
                            " FROM statuses_received WHERE ?1 = ?1 AND seq > ?2"
                            " ORDER BY seq LIMIT ?3",
                        "", after_seq, ClampLimit(limit));
}

Result<std::vector<StatusView>> AgentStoreReader::StatusesLocked(
    const std::string& sql, std::string_view key, int64_t after,
    int64_t limit) {
  DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q, db_->Prepare(sql));
  q->BindText(1, key).Bind(2, after).Bind(3, limit);
  std::vector<StatusView> out;
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(ReadStatus(q));
  }
  return out;
}

}  // namespace docbus::agent
