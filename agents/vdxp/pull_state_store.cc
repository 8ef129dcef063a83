#include "agents/vdxp/pull_state_store.h"

#include <algorithm>
#include <cctype>

namespace docbus::agent::vdxp {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS packets (
  seq INTEGER PRIMARY KEY,
  doc_id TEXT NOT NULL UNIQUE,
  kind INTEGER NOT NULL,
  sender TEXT NOT NULL,
  recipient TEXT NOT NULL,
  received_unix_ms INTEGER NOT NULL,
  about TEXT NOT NULL,
  code INTEGER NOT NULL,
  state INTEGER NOT NULL,
  updated_unix_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS packets_listed ON packets (kind, state, seq);
CREATE TABLE IF NOT EXISTS cursors (
  kind INTEGER PRIMARY KEY,
  after_seq INTEGER NOT NULL);
)sql";

constexpr char kColumns[] =
    "doc_id, kind, sender, recipient, received_unix_ms, about, code, state, "
    "updated_unix_ms";

int64_t KindValue(PacketKind kind) { return static_cast<int64_t>(kind); }

// The INSERT below writes a new packet's state as the literal 0.
static_assert(static_cast<int>(PullState::kPending) == 0);

}  // namespace

std::string_view PullStateName(PullState state) {
  // Indexed by the enum's values, which are also what the file stores.
  static constexpr std::string_view kNames[] = {"pending", "processing", "done",
                                                "fail"};
  return kNames[static_cast<size_t>(state)];
}

Result<PullState> ParsePullState(std::string_view text,
                                 std::string_view field) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower == "done") return PullState::kDone;
  if (lower == "fail") return PullState::kFail;
  if (lower == "processing") return PullState::kProcessing;
  return Status(Code::kInvalidField,
                std::string(field) + ": must be done, fail or processing");
}

std::string_view PacketKindName(PacketKind kind) {
  return kind == PacketKind::kStatus ? "status" : "edoc";
}

Result<std::unique_ptr<PullStateStore>> PullStateStore::Open(
    const std::filesystem::path& file) {
  DOCBUS_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(file));
  DOCBUS_RETURN_IF_ERROR(db->Exec(kSchema));
  return std::unique_ptr<PullStateStore>(new PullStateStore(std::move(db)));
}

Result<int64_t> PullStateStore::Cursor(PacketKind kind) {
  std::lock_guard lock(mu_);
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("SELECT after_seq FROM cursors WHERE kind=?"));
  q->Bind(1, KindValue(kind));
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : 0;
}

Status PullStateStore::Add(PacketKind kind,
                           const std::vector<PulledPacket>& packets,
                           int64_t cursor) {
  std::lock_guard lock(mu_);
  DOCBUS_RETURN_IF_ERROR(db_->Begin());
  auto add_all = [&]() -> Status {
    for (const PulledPacket& p : packets) {
      DOCBUS_ASSIGN_OR_RETURN(
          SqliteQuery q,
          db_->Prepare(std::string("INSERT OR IGNORE INTO packets (") +
                       kColumns + ") VALUES (?1,?2,?3,?4,?5,?6,?7,0,?5)"));
      // Arrives pending (0), last changed when received (?5).
      q->BindText(1, p.doc_id).Bind(2, KindValue(kind)).BindText(3, p.from);
      q->BindText(4, p.to).Bind(5, p.received_unix_ms).BindText(6, p.about);
      q->Bind(7, p.code);
      DOCBUS_RETURN_IF_ERROR(q->Run());
    }
    DOCBUS_ASSIGN_OR_RETURN(
        SqliteQuery q,
        db_->Prepare("INSERT INTO cursors (kind, after_seq) VALUES (?, ?) "
                     "ON CONFLICT (kind) DO UPDATE SET after_seq = "
                     "max(after_seq, excluded.after_seq)"));
    q->Bind(1, KindValue(kind)).Bind(2, cursor);
    return q->Run();
  };
  Status added = add_all();
  if (!added.ok()) {
    (void)db_->Rollback();
    return added;
  }
  return db_->Commit();
}

Result<std::vector<PulledPacket>> PullStateStore::ReadPackets(SqliteQuery& q) {
  std::vector<PulledPacket> out;
  while (true) {
    DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (q->Int(1) < 0 || q->Int(1) > 1 || q->Int(7) < 0 || q->Int(7) > 3) {
      return Status(Code::kCorruption,
                    "vdxp.db: a packet with an unknown kind or state");
    }
    out.push_back(PulledPacket{.doc_id = q->Text(0),
                               .kind = static_cast<PacketKind>(q->Int(1)),
                               .from = q->Text(2),
                               .to = q->Text(3),
                               .received_unix_ms = q->Int(4),
                               .about = q->Text(5),
                               .code = static_cast<int>(q->Int(6)),
                               .state = static_cast<PullState>(q->Int(7)),
                               .updated_unix_ms = q->Int(8)});
  }
  return out;
}

Result<std::vector<PulledPacket>> PullStateStore::Listed(PacketKind kind,
                                                         int64_t limit) {
  std::lock_guard lock(mu_);
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare(std::string("SELECT ") + kColumns +
                   " FROM packets WHERE kind=? AND state<>? ORDER BY seq "
                   "LIMIT ?"));
  q->Bind(1, KindValue(kind))
      .Bind(2, static_cast<int64_t>(PullState::kDone))
      .Bind(3, limit);
  return ReadPackets(q);
}

Result<int64_t> PullStateStore::CountListed(PacketKind kind) {
  std::lock_guard lock(mu_);
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("SELECT count(*) FROM packets WHERE kind=? AND state<>?"));
  q->Bind(1, KindValue(kind)).Bind(2, static_cast<int64_t>(PullState::kDone));
  DOCBUS_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : 0;
}

Result<PulledPacket> PullStateStore::Get(std::string_view doc_id) {
  std::lock_guard lock(mu_);
  DOCBUS_ASSIGN_OR_RETURN(SqliteQuery q,
                          db_->Prepare(std::string("SELECT ") + kColumns +
                                       " FROM packets WHERE doc_id=?"));
  q->BindText(1, doc_id);
  DOCBUS_ASSIGN_OR_RETURN(std::vector<PulledPacket> found, ReadPackets(q));
  if (found.empty()) {
    return Status(Code::kNotFound, "docId: no packet received with this id");
  }
  return found.front();
}

Status PullStateStore::Update(std::string_view doc_id, PullState state,
                              int64_t now_unix_ms) {
  DOCBUS_ASSIGN_OR_RETURN(PulledPacket packet, Get(doc_id));
  if (packet.state == PullState::kDone) {
    if (state == PullState::kDone) return Status::Ok();
    return Status(Code::kInvalidTransition,
                  "docId: the packet is done; done is final");
  }
  std::lock_guard lock(mu_);
  // The state is checked again in the UPDATE, so a concurrent done wins.
  DOCBUS_ASSIGN_OR_RETURN(
      SqliteQuery q,
      db_->Prepare("UPDATE packets SET state=?, updated_unix_ms=? "
                   "WHERE doc_id=? AND state<>?"));
  q->Bind(1, static_cast<int64_t>(state))
      .Bind(2, now_unix_ms)
      .BindText(3, doc_id)
      .Bind(4, static_cast<int64_t>(PullState::kDone));
  DOCBUS_RETURN_IF_ERROR(q->Run());
  if (db_->changes() == 0 && state != PullState::kDone) {
    return Status(Code::kInvalidTransition,
                  "docId: the packet is done; done is final");
  }
  return Status::Ok();
}

}  // namespace docbus::agent::vdxp
