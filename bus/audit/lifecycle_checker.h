// LifecycleChecker: the record-level rules of an audit log, checked entry by
// entry in index order (see FORMAT.md, "Lifecycle rules"):
//  - every log: each entry parses as an AuditRecord with format_version 1,
//    log_origin = the checkpoint origin, a 16-byte event_id unique in the
//    log (checked by Finish), and time_unix_ms never decreasing;
//  - broker log: ACCEPTED once per (sender, message_id); DELIVERED / EXPIRED
//    point (prior_index_plus_one) to that document's ACCEPTED, name one of its
//    recipients, at most once per (document, recipient), never both;
//    STATUS once per status_id pointing to the document's ACCEPTED;
//    NOTIFIED points to an earlier DELIVERED / STATUS / EXPIRED of the same
//    document and hands it to that event's addressee;
//  - agent log: SENT / RECEIVED once per message_id, RECEIPT_RECEIVED and
//    DEAD_LETTER_RECEIVED once per (message_id, recipient), STATUS_SENT /
//    STATUS_RECEIVED once per status_id.
// Not thread-safe; one checker per pass over a log.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bus/core/status.h"
#include "docbus/v1/audit.pb.h"

namespace docbus::audit {

class LifecycleChecker {
 public:
  // `expected_entries` (e.g. the checkpoint size) sizes the tables up front,
  // up to about a million entries whatever it claims.
  explicit LifecycleChecker(std::string origin, uint64_t expected_entries = 0);
  ~LifecycleChecker();
  LifecycleChecker(const LifecycleChecker&) = delete;
  LifecycleChecker& operator=(const LifecycleChecker&) = delete;

  // Checks entry `index` (entries must come in order 0, 1, 2, ...). Ok, or
  // kCorruption with a message saying which rule the entry breaks. After a
  // failure the checker's state is unspecified.
  Status Check(int64_t index, std::string_view entry);
  // Same for an already parsed record.
  Status CheckRecord(int64_t index, const v1::AuditRecord& record);
  // The rules that need every entry checked so far: event_id uniqueness
  // (checked in bulk, as sorting beats a million random probes). Ok, or
  // kCorruption with the first index that repeats an earlier event_id in
  // `*bad_index` (-1 when ok).
  Status Finish(int64_t* bad_index);

  // Name of an event ("ACCEPTED", "SENT", ...).
  static std::string_view EventName(v1::AuditEvent event);

 private:
  struct State;
  std::string origin_;
  std::unique_ptr<State> state_;
  v1::AuditRecord scratch_;
};

}  // namespace docbus::audit
