#include "bus/audit/lifecycle_checker.h"

#include <algorithm>
#include <string>
#include <vector>

#include "bus/audit/lifecycle_tables.h"
#include "bus/core/ids.h"

namespace docbus::audit {
namespace {

using v1::AuditRecord;

Status Broken(std::string message) {
  return Status(Code::kCorruption, std::move(message));
}

using internal::EventIdLog;
using internal::StringPool;
using internal::ViewSet;

// What the rules remember of an ACCEPTED; strings live in the pool.
struct Accepted {
  std::string_view message_id;
  std::string_view sender;
  uint32_t first_recipient;  // into State::recipients / outcomes
  uint32_t recipient_count;
};

// A DELIVERED / STATUS / EXPIRED a NOTIFIED may point to.
struct Handover {
  std::string_view message_id;
  std::string_view status_id;
  std::string_view addressee;
};

}  // namespace

// Presizing stops here: `expected_entries` comes from a checkpoint that may
// claim far more entries than the export holds; past this the tables grow
// as entries arrive.
constexpr uint64_t kMaxPresizedEntries = uint64_t{1} << 20;

struct LifecycleChecker::State {
  explicit State(uint64_t expected_entries)
      : expected(std::min(expected_entries, kMaxPresizedEntries)),
        accepted_keys(expected / 4),
        status_ids(expected / 16),
        agent_once(expected / 2) {
    slot_of_index.reserve(expected);
    event_ids.Reserve(expected);
  }
  // Inserts a + "\n" + b into `set`; false if it was there.
  bool InsertPair(ViewSet& set, std::string_view a, std::string_view b) {
    scratch.assign(a);
    scratch.push_back('\n');
    scratch.append(b);
    return set.Insert(scratch, pool);
  }

  StringPool pool;
  std::string scratch;
  int64_t last_time = 0;
  const uint64_t expected;
  EventIdLog event_ids;
  // Per log index: 2·position + 1 in `accepted` (ACCEPTED), 2·(position + 1)
  // in `handovers` (DELIVERED / STATUS / EXPIRED), 0 for other entries.
  std::vector<uint32_t> slot_of_index;
  ViewSet accepted_keys;  // "sender\nmessage_id"
  std::vector<Accepted> accepted;
  std::vector<std::string_view> recipients;
  std::vector<uint8_t> outcomes;  // per recipient: 0, 1 delivered, 2 expired
  std::vector<Handover> handovers;
  ViewSet status_ids;
  ViewSet agent_once;  // "<event>\n<key>"
};

LifecycleChecker::LifecycleChecker(std::string origin,
                                   uint64_t expected_entries)
    : origin_(std::move(origin)),
      state_(std::make_unique<State>(expected_entries)) {}

LifecycleChecker::~LifecycleChecker() = default;

std::string_view LifecycleChecker::EventName(v1::AuditEvent event) {
  switch (event) {
    case v1::AUDIT_ACCEPTED:
      return "ACCEPTED";
    case v1::AUDIT_REJECTED:
      return "REJECTED";
    case v1::AUDIT_DELIVERED:
      return "DELIVERED";
    case v1::AUDIT_STATUS:
      return "STATUS";
    case v1::AUDIT_EXPIRED:
      return "EXPIRED";
    case v1::AUDIT_NOTIFIED:
      return "NOTIFIED";
    case v1::AUDIT_REGISTRY:
      return "REGISTRY";
    case v1::AUDIT_SENT:
      return "SENT";
    case v1::AUDIT_RECEIVED:
      return "RECEIVED";
    case v1::AUDIT_RECEIPT_RECEIVED:
      return "RECEIPT_RECEIVED";
    case v1::AUDIT_STATUS_SENT:
      return "STATUS_SENT";
    case v1::AUDIT_STATUS_RECEIVED:
      return "STATUS_RECEIVED";
    case v1::AUDIT_DEAD_LETTER_RECEIVED:
      return "DEAD_LETTER_RECEIVED";
    default:
      return "UNKNOWN";
  }
}

Status LifecycleChecker::Finish(int64_t* bad_index) {
  std::string id;
  int64_t repeat = state_->event_ids.FirstRepeat(&id);
  if (bad_index != nullptr) *bad_index = repeat;
  if (repeat < 0) return Status::Ok();
  return Broken("event_id " + Hex(id) + " was used before");
}

Status LifecycleChecker::Check(int64_t index, std::string_view entry) {
  if (!scratch_.ParseFromArray(entry.data(), static_cast<int>(entry.size()))) {
    return Broken("entry is not an AuditRecord");
  }
  return CheckRecord(index, scratch_);
}

Status LifecycleChecker::CheckRecord(int64_t index, const AuditRecord& r) {
  State& s = *state_;
  if (index != static_cast<int64_t>(s.slot_of_index.size())) {
    return Broken("entries checked out of order");
  }
  s.slot_of_index.push_back(0);
  if (r.format_version() != 1) {
    return Broken("format_version " + std::to_string(r.format_version()) +
                  " is not 1");
  }
  if (r.log_origin() != origin_) {
    return Broken("log_origin '" + r.log_origin() +
                  "' is not the checkpoint origin");
  }
  if (r.event_id().size() != 16) return Broken("event_id is not 16 bytes");
  s.event_ids.Add(r.event_id(), index);
  if (r.time_unix_ms() < s.last_time) {
    return Broken("time_unix_ms " + std::to_string(r.time_unix_ms()) +
                  " goes back from " + std::to_string(s.last_time));
  }
  s.last_time = r.time_unix_ms();

  const std::string_view what = EventName(r.event());
  // The entry prior_index_plus_one points to, if it is earlier and of the
  // kind `slots` holds.
  auto prior_slot = [&](bool want_accepted) -> int64_t {
    uint64_t prior = r.prior_index_plus_one();
    if (prior == 0 || prior > static_cast<uint64_t>(index)) return -1;
    uint32_t slot = s.slot_of_index[prior - 1];
    if (slot == 0) return -1;
    // ACCEPTED slots are 2·position + 1, handover slots 2·(position + 1).
    bool is_accepted = (slot & 1) == 1;
    if (is_accepted != want_accepted) return -1;
    return is_accepted ? (slot >> 1) : (slot >> 1) - 1;
  };
  auto prior_accepted = [&]() -> Accepted* {
    int64_t slot = prior_slot(true);
    if (slot < 0) return nullptr;
    Accepted& a = s.accepted[static_cast<size_t>(slot)];
    return a.message_id == r.message_id() ? &a : nullptr;
  };
  auto add_handover = [&](std::string_view addressee) {
    s.slot_of_index.back() =
        static_cast<uint32_t>((s.handovers.size() + 1) << 1);
    if (s.handovers.empty()) s.handovers.reserve(s.expected / 2);
    s.handovers.push_back(Handover{s.pool.Add(r.message_id()),
                                   s.pool.Add(r.status_id()),
                                   s.pool.Add(addressee)});
  };
  auto once = [&](std::string_view key) -> Status {
    if (!s.InsertPair(s.agent_once, what, key)) {
      return Broken(std::string(what) + " recorded twice for " +
                    std::string(key));
    }
    return Status::Ok();
  };
  auto one_recipient = [&]() -> Status {
    if (r.recipients_size() != 1) {
      return Broken(std::string(what) + " must name exactly one recipient");
    }
    return Status::Ok();
  };

  switch (r.event()) {
    case v1::AUDIT_ACCEPTED: {
      if (r.message_id().empty() || r.sender().empty() ||
          r.recipients_size() == 0 || r.header_sha256().size() != 32) {
        return Broken(
            "ACCEPTED lacks message_id, sender, recipients or "
            "header_sha256");
      }
      if (!s.InsertPair(s.accepted_keys, r.sender(), r.message_id())) {
        return Broken("ACCEPTED twice for message " + r.message_id() + " of " +
                      r.sender());
      }
      s.slot_of_index.back() =
          static_cast<uint32_t>((s.accepted.size() << 1) | 1);
      if (s.accepted.empty()) {
        s.accepted.reserve(s.expected / 4);
        s.recipients.reserve(s.expected / 2);
        s.outcomes.reserve(s.expected / 2);
      }
      s.accepted.push_back(
          Accepted{s.pool.Add(r.message_id()), s.pool.Add(r.sender()),
                   static_cast<uint32_t>(s.recipients.size()),
                   static_cast<uint32_t>(r.recipients_size())});
      for (const auto& to : r.recipients()) {
        s.recipients.push_back(s.pool.Add(to));
        s.outcomes.push_back(0);
      }
      return Status::Ok();
    }
    case v1::AUDIT_REJECTED:
      return Status::Ok();
    case v1::AUDIT_DELIVERED:
    case v1::AUDIT_EXPIRED: {
      DOCBUS_RETURN_IF_ERROR(one_recipient());
      Accepted* a = prior_accepted();
      if (a == nullptr) {
        return Broken(std::string(what) + " of message " + r.message_id() +
                      " does not follow its ACCEPTED");
      }
      const std::string& to = r.recipients(0);
      size_t k = a->first_recipient;
      const size_t end = k + a->recipient_count;
      while (k < end && s.recipients[k] != to) ++k;
      if (a->sender != r.sender() || k == end) {
        return Broken(std::string(what) + " of message " + r.message_id() +
                      " names a sender or recipient its ACCEPTED does not");
      }
      if (r.event() == v1::AUDIT_DELIVERED &&
          r.evidence_sha256().size() != 32) {
        return Broken("DELIVERED lacks the receipt digest evidence_sha256");
      }
      if (s.outcomes[k] != 0) {
        return Broken(std::string(what) + " of message " + r.message_id() +
                      " to " + to + " after it " +
                      (s.outcomes[k] == 1 ? "was DELIVERED" : "EXPIRED"));
      }
      s.outcomes[k] = r.event() == v1::AUDIT_DELIVERED ? 1 : 2;
      // A receipt / dead letter goes back to the document's sender.
      add_handover(r.sender());
      return Status::Ok();
    }
    case v1::AUDIT_STATUS: {
      DOCBUS_RETURN_IF_ERROR(one_recipient());
      if (r.status_id().empty()) return Broken("STATUS lacks a status_id");
      if (prior_accepted() == nullptr) {
        return Broken("STATUS " + r.status_id() + " of message " +
                      r.message_id() + " does not follow its ACCEPTED");
      }
      if (!s.status_ids.Insert(r.status_id(), s.pool)) {
        return Broken("STATUS " + r.status_id() + " recorded twice");
      }
      add_handover(r.recipients(0));
      return Status::Ok();
    }
    case v1::AUDIT_NOTIFIED: {
      DOCBUS_RETURN_IF_ERROR(one_recipient());
      int64_t slot = prior_slot(false);
      const Handover* h =
          slot < 0 ? nullptr : &s.handovers[static_cast<size_t>(slot)];
      if (h == nullptr || h->message_id != r.message_id() ||
          h->status_id != r.status_id()) {
        return Broken("NOTIFIED of message " + r.message_id() +
                      " does not follow the DELIVERED, STATUS or EXPIRED it "
                      "hands over");
      }
      if (h->addressee != r.recipients(0)) {
        return Broken("NOTIFIED of message " + r.message_id() +
                      " hands it to " + r.recipients(0) + ", not to " +
                      std::string(h->addressee));
      }
      return Status::Ok();
    }
    case v1::AUDIT_SENT:
    case v1::AUDIT_RECEIVED:
      if (r.message_id().empty()) {
        return Broken(std::string(what) + " lacks a message_id");
      }
      return once(r.message_id());
    case v1::AUDIT_RECEIPT_RECEIVED:
    case v1::AUDIT_DEAD_LETTER_RECEIVED: {
      if (r.message_id().empty()) {
        return Broken(std::string(what) + " lacks a message_id");
      }
      std::string key = r.message_id();
      key += '\n';
      if (r.recipients_size() > 0) key += r.recipients(0);
      return once(key);
    }
    case v1::AUDIT_STATUS_SENT:
    case v1::AUDIT_STATUS_RECEIVED:
      if (r.status_id().empty()) {
        return Broken(std::string(what) + " lacks a status_id");
      }
      return once(r.status_id());
    case v1::AUDIT_REGISTRY:
      // Who may send, put in force: a serial and the digest of the exact
      // signed registry. (A standby broker taking over, or one whose data
      // folder was lost, may record a serial again.)
      if (r.registry_serial() == 0 || r.registry_sha256().size() != 32) {
        return Broken("REGISTRY lacks a registry_serial or registry_sha256");
      }
      return Status::Ok();
    default:
      return Broken("unknown event " + std::to_string(r.event()));
  }
}

}  // namespace docbus::audit
