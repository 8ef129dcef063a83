#include "bus/store/postgres/pg_broker_store.h"

#include <algorithm>
#include <utility>

#include "bus/store/postgres/pg_schema.h"
#include "bus/store/record_columns.h"

namespace docbus::store {

Result<std::unique_ptr<BrokerStore>> OpenPostgresBrokerStore(
    const PostgresOptions& options) {
  DOCBUS_ASSIGN_OR_RETURN(auto store, pg::PgBrokerStore::Open(options));
  return std::unique_ptr<BrokerStore>(std::move(store));
}

namespace pg {
namespace {

// The epoch row, locked for the transaction: a takeover (PgLeaderLease)
// increments it only after this transaction ends, and a transaction begun
// after the takeover reads the new epoch.
constexpr const char* kBeginFenced =
    "BEGIN; SELECT epoch FROM broker_leader WHERE id = 1 FOR SHARE";

Result<DocumentRecord> ReadDocumentRow(const PgResult& r, int row) {
  DocumentRecord d;
  d.id = r.Int(row, 0);
  d.sender = r.String(row, 1);
  d.message_id = r.String(row, 2);
  d.document_id = r.String(row, 3);
  d.header = r.String(row, 4);
  d.signature = r.String(row, 5);
  d.header_sha256 = r.String(row, 6);
  DOCBUS_ASSIGN_OR_RETURN(d.attachment_sha256,
                          SplitDigests(d.id, r.Bytes(row, 7)));
  d.recipients = SplitLines(r.Bytes(row, 8));
  d.priority = static_cast<int32_t>(r.Int(row, 9));
  d.accepted_unix_ms = r.Int(row, 10);
  d.audit_index = r.Int(row, 11);
  return d;
}

StatusRecord ReadStatusRow(const PgResult& r, int row) {
  StatusRecord s;
  s.status_id = r.String(row, 0);
  s.message_id = r.String(row, 1);
  s.document = r.Int(row, 2);
  s.reporter = r.String(row, 3);
  s.addressee = r.String(row, 4);
  s.code = static_cast<int32_t>(r.Int(row, 5));
  s.body_sha256 = r.String(row, 6);
  s.audit_index = r.Int(row, 7);
  s.created_unix_ms = r.Int(row, 8);
  s.accepted_unix_ms = r.Int(row, 9);
  return s;
}

DeliveryRecord ReadDeliveryRow(const PgResult& r, int row) {
  DeliveryRecord d;
  d.delivery_id = r.Int(row, 0);
  d.recipient = r.String(row, 1);
  d.kind = static_cast<DeliveryKind>(r.Int(row, 2));
  d.state = static_cast<DeliveryState>(r.Int(row, 3));
  d.priority = static_cast<int32_t>(r.Int(row, 4));
  d.document = r.Int(row, 5);
  d.payload = r.String(row, 6);
  d.status_id = r.String(row, 7);
  d.size_bytes = r.Int(row, 8);
  d.created_unix_ms = r.Int(row, 9);
  d.expires_unix_ms = r.Int(row, 10);
  d.prior_audit_index = r.Int(row, 11);
  return d;
}

// Every (re)connect: the session's limits, then the statements.
Status SetUpSession(PgConnection& conn, int64_t lease_ms) {
  if (lease_ms > 0) {
    // A turn stalled mid-transaction (the process paused) ends after a
    // lease, so a standby's takeover does not wait on its row lock forever.
    DOCBUS_RETURN_IF_ERROR(
        conn.Exec("SET idle_in_transaction_session_timeout = " +
                  std::to_string(lease_ms)));
  }
  for (int i = 0; i < kStatementCount; ++i) {
    const auto which = static_cast<Statement>(i);
    DOCBUS_RETURN_IF_ERROR(
        conn.Prepare(StatementName(which), StatementSql(which)));
  }
  return PgLogStorage::PrepareStatements(conn);
}

}  // namespace

Result<std::unique_ptr<PgBrokerStore>> PgBrokerStore::Open(
    const PostgresOptions& options) {
  if (options.dsn.empty()) {
    return Status(Code::kInvalidArgument, "empty PostgreSQL connection string");
  }
  std::unique_ptr<PgBrokerStore> store(new PgBrokerStore());
  const Clock& clock = options.clock ? *options.clock : store->real_clock_;
  // The schema goes first, on a connection of its own: the session setup
  // prepares statements against its tables.
  {
    DOCBUS_ASSIGN_OR_RETURN(auto migrator,
                            PgConnection::Connect(options.dsn, nullptr, clock));
    Status s = Migrate(*migrator);
    if (!s.ok()) return s.Prefixed("PostgreSQL at " + migrator->where());
  }
  store->fence_epoch_ = options.fence_epoch;
  const int64_t lease_ms = options.fence_epoch > 0 ? options.lease_ms : 0;
  DOCBUS_ASSIGN_OR_RETURN(
      store->conn_,
      PgConnection::Connect(
          options.dsn,
          [lease_ms](PgConnection& conn) {
            return SetUpSession(conn, lease_ms);
          },
          clock,
          PgReconnectPolicy{options.reconnect_min_backoff_ms,
                            options.reconnect_max_backoff_ms,
                            options.fence_epoch > 0 ? options.lease_ms : 0}));
  store->audit_ = std::make_unique<PgLogStorage>(*store->conn_);
  return store;
}

Status PgBrokerStore::Begin() {
  if (in_transaction_) {
    return Status(Code::kFailedPrecondition, "a transaction is already open");
  }
  if (fenced_) return FencedStatus();
  DOCBUS_RETURN_IF_ERROR(conn_->EnsureConnected());
  const char* begin = fence_epoch_ > 0 ? kBeginFenced : "BEGIN";
  Result<PgResult> r = conn_->ExecRows(begin);
  // A connection that died while idle (a server restart) is only noticed
  // here: reconnect at once rather than fail a turn for it.
  if (!r.ok() && conn_->lost()) {
    DOCBUS_RETURN_IF_ERROR(conn_->EnsureConnected());
    r = conn_->ExecRows(begin);
  }
  DOCBUS_RETURN_IF_ERROR(r.status());
  in_transaction_ = true;
  if (fence_epoch_ == 0) return Status::Ok();
  current_epoch_ = r->rows() == 1 ? std::stoll(r->String(0, 0)) : -1;
  if (current_epoch_ == fence_epoch_) return Status::Ok();
  (void)Rollback();
  fenced_ = true;
  return FencedStatus();
}

void PgBrokerStore::set_fence_epoch(int64_t epoch) {
  fence_epoch_ = epoch;
  fenced_ = false;
}

Status PgBrokerStore::FencedStatus() const {
  return Status(Code::kFenced,
                "another broker is active: the database's broker epoch is " +
                    std::to_string(current_epoch_) + ", this broker's " +
                    std::to_string(fence_epoch_));
}

Status PgBrokerStore::Commit() {
  if (!in_transaction_) {
    return Status(Code::kFailedPrecondition, "no transaction");
  }
  in_transaction_ = false;
  // A lost connection during COMMIT leaves its outcome unknown; the broker
  // answers nothing and the peers' resubmissions are deduplicated.
  DOCBUS_ASSIGN_OR_RETURN(std::string tag, conn_->ExecTag("COMMIT"));
  // COMMIT of a transaction an error aborted rolls it back without failing.
  if (tag != "COMMIT") {
    return Status(
        Code::kUnavailable,
        "the transaction was rolled back by the server (" + tag + ")");
  }
  return Status::Ok();
}

Status PgBrokerStore::Rollback() {
  in_transaction_ = false;
  // A server that lost the connection discarded the transaction itself.
  if (conn_->lost()) return Status::Ok();
  return conn_->Exec("ROLLBACK");
}

Result<std::optional<DocumentRecord>> PgBrokerStore::FindDocument(
    std::string_view sender, std::string_view message_id) {
  DOCBUS_ASSIGN_OR_RETURN(
      PgResult r, Run(kFindDocument, PgParams().Text(sender).Text(message_id)));
  if (r.rows() == 0) return std::optional<DocumentRecord>();
  DOCBUS_ASSIGN_OR_RETURN(DocumentRecord doc, ReadDocumentRow(r, 0));
  return std::optional<DocumentRecord>(std::move(doc));
}

Result<std::optional<DocumentRecord>> PgBrokerStore::FindDocumentByDocumentId(
    std::string_view sender, std::string_view document_id) {
  DOCBUS_ASSIGN_OR_RETURN(PgResult r,
                          Run(kFindDocumentByDocumentId,
                              PgParams().Text(sender).Text(document_id)));
  if (r.rows() == 0) return std::optional<DocumentRecord>();
  DOCBUS_ASSIGN_OR_RETURN(DocumentRecord doc, ReadDocumentRow(r, 0));
  return std::optional<DocumentRecord>(std::move(doc));
}

Result<DocumentRecord> PgBrokerStore::GetDocument(int64_t id) {
  DOCBUS_ASSIGN_OR_RETURN(PgResult r, Run(kGetDocument, PgParams().Int(id)));
  if (r.rows() == 0) {
    return Status(Code::kNotFound, "no document " + std::to_string(id));
  }
  return ReadDocumentRow(r, 0);
}

Result<std::vector<std::string>> PgBrokerStore::GetAttachmentDigests(
    int64_t id) {
  DOCBUS_ASSIGN_OR_RETURN(PgResult r,
                          Run(kGetAttachmentDigests, PgParams().Int(id)));
  if (r.rows() == 0) {
    return Status(Code::kNotFound, "no document " + std::to_string(id));
  }
  return SplitDigests(id, r.Bytes(0, 0));
}

Status PgBrokerStore::InsertDocument(DocumentRecord& record) {
  DOCBUS_ASSIGN_OR_RETURN(std::string digests,
                          JoinDigests(record.attachment_sha256));
  DOCBUS_ASSIGN_OR_RETURN(
      PgResult r, Run(kInsertDocument, PgParams()
                                           .Text(record.sender)
                                           .Text(record.message_id)
                                           .Text(record.document_id)
                                           .Bytes(record.header)
                                           .Bytes(record.signature)
                                           .Bytes(record.header_sha256)
                                           .Bytes(digests)
                                           .Text(JoinLines(record.recipients))
                                           .Int(record.priority)
                                           .Int(record.accepted_unix_ms)
                                           .Int(record.audit_index)));
  if (r.rows() == 0) {
    return Status(Code::kAlreadyExists, "document " + record.message_id +
                                            " of " + record.sender +
                                            " is stored already");
  }
  record.id = r.Int(0, 0);
  return Status::Ok();
}

Status PgBrokerStore::PutAttachment(std::string_view sha256,
                                    std::string_view data) {
  return Run(kPutAttachment, PgParams().Bytes(sha256).Bytes(data)).status();
}

Result<std::optional<StatusRecord>> PgBrokerStore::FindStatus(
    std::string_view status_id) {
  DOCBUS_ASSIGN_OR_RETURN(PgResult r,
                          Run(kFindStatus, PgParams().Text(status_id)));
  if (r.rows() == 0) return std::optional<StatusRecord>();
  return std::optional<StatusRecord>(ReadStatusRow(r, 0));
}

Result<std::vector<StatusRecord>> PgBrokerStore::ListStatuses(
    int64_t document, std::string_view recipient) {
  DOCBUS_ASSIGN_OR_RETURN(
      PgResult r, Run(kListStatuses, PgParams().Int(document).Text(recipient)));
  std::vector<StatusRecord> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) out.push_back(ReadStatusRow(r, row));
  return out;
}

Status PgBrokerStore::InsertStatus(const StatusRecord& s) {
  DOCBUS_ASSIGN_OR_RETURN(PgResult r,
                          Run(kInsertStatus, PgParams()
                                                 .Text(s.status_id)
                                                 .Text(s.message_id)
                                                 .Int(s.document)
                                                 .Text(s.reporter)
                                                 .Text(s.addressee)
                                                 .Int(s.code)
                                                 .Bytes(s.body_sha256)
                                                 .Int(s.audit_index)
                                                 .Int(s.created_unix_ms)
                                                 .Int(s.accepted_unix_ms)));
  if (r.affected() != 1) {
    return Status(Code::kAlreadyExists,
                  "status " + s.status_id + " is stored already");
  }
  return Status::Ok();
}

Status PgBrokerStore::InsertDelivery(DeliveryRecord& d) {
  DOCBUS_ASSIGN_OR_RETURN(
      PgResult r, Run(kInsertDelivery, PgParams()
                                           .Text(d.recipient)
                                           .Int(static_cast<int>(d.kind))
                                           .Int(static_cast<int>(d.state))
                                           .Int(d.priority)
                                           .Int(d.document)
                                           .Bytes(d.payload)
                                           .Text(d.status_id)
                                           .Int(d.size_bytes)
                                           .Int(d.created_unix_ms)
                                           .Int(d.expires_unix_ms)
                                           .Int(d.prior_audit_index)));
  d.delivery_id = r.Int(0, 0);
  return Status::Ok();
}

Result<std::optional<DeliveryRecord>> PgBrokerStore::GetDelivery(
    int64_t delivery_id) {
  DOCBUS_ASSIGN_OR_RETURN(PgResult r,
                          Run(kGetDelivery, PgParams().Int(delivery_id)));
  if (r.rows() == 0) return std::optional<DeliveryRecord>();
  return std::optional<DeliveryRecord>(ReadDeliveryRow(r, 0));
}

Status PgBrokerStore::SetDeliveryState(int64_t delivery_id, DeliveryState state,
                                       int64_t now_unix_ms) {
  DOCBUS_ASSIGN_OR_RETURN(
      PgResult r, Run(kSetDeliveryState, PgParams()
                                             .Int(delivery_id)
                                             .Int(static_cast<int>(state))
                                             .Int(now_unix_ms)));
  if (r.affected() != 1) {
    return Status(Code::kNotFound,
                  "no delivery " + std::to_string(delivery_id));
  }
  return Status::Ok();
}

Result<std::vector<QueuedDelivery>> PgBrokerStore::NextQueued(
    std::string_view recipient, const QueueCursor& after, size_t limit) {
  std::vector<QueuedDelivery> out;
  for (int32_t p = std::min(after.priority, kHighestPriority);
       p >= 0 && out.size() < limit; --p) {
    DOCBUS_ASSIGN_OR_RETURN(
        PgResult r, Run(kNextQueuedAtPriority,
                        PgParams()
                            .Text(recipient)
                            .Int(p)
                            .Int(p == after.priority ? after.delivery_id : 0)
                            .Int(static_cast<int64_t>(limit - out.size()))));
    for (int i = 0; i < r.rows(); ++i) {
      out.push_back(QueuedDelivery{
          r.Int(i, 0), static_cast<int32_t>(r.Int(i, 1)), r.Int(i, 2)});
    }
  }
  return out;
}

Result<std::vector<DeliveryRecord>> PgBrokerStore::DueForExpiry(
    int64_t now_unix_ms, size_t limit) {
  DOCBUS_ASSIGN_OR_RETURN(
      PgResult r,
      Run(kDueForExpiry,
          PgParams().Int(now_unix_ms).Int(static_cast<int64_t>(limit))));
  std::vector<DeliveryRecord> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(ReadDeliveryRow(r, i));
  return out;
}

Result<std::map<std::string, int64_t>> PgBrokerStore::QueueDepths() {
  DOCBUS_ASSIGN_OR_RETURN(PgResult r, Run(kQueueDepths, PgParams()));
  std::map<std::string, int64_t> out;
  for (int i = 0; i < r.rows(); ++i) out[r.String(i, 0)] = r.Int(i, 1);
  return out;
}

Result<std::optional<int64_t>> PgBrokerStore::OldestQueuedUnixMillis(
    std::string_view recipient) {
  // Ids grow with time: the oldest is the smallest id over the five
  // priority levels, five index seeks whatever the queue length.
  std::optional<int64_t> oldest_id;
  for (int32_t p = 0; p <= kHighestPriority; ++p) {
    DOCBUS_ASSIGN_OR_RETURN(PgResult r, Run(kOldestQueuedAtPriority,
                                            PgParams().Text(recipient).Int(p)));
    if (r.rows() > 0) {
      oldest_id = std::min(oldest_id.value_or(r.Int(0, 0)), r.Int(0, 0));
    }
  }
  if (!oldest_id) return std::optional<int64_t>();
  DOCBUS_ASSIGN_OR_RETURN(PgResult r,
                          Run(kDeliveryCreated, PgParams().Int(*oldest_id)));
  if (r.rows() == 0) return std::optional<int64_t>();
  return std::optional<int64_t>(r.Int(0, 0));
}

Status PgBrokerStore::SaveCheckpoint(uint64_t size,
                                     std::string_view signed_note) {
  return audit_->SaveCheckpoint(size, signed_note);
}

Result<std::optional<std::string>> PgBrokerStore::LatestCheckpoint() {
  return audit_->LatestCheckpoint();
}

}  // namespace pg
}  // namespace docbus::store
