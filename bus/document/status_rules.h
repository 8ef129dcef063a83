// The one validator of an edXML status message (StatusBody), called by the
// agent when it builds one (and by its JSON codec for what a caller reports)
// and by the broker on every SubmitStatus; and the one table of the status
// state machine per (document, recipient), applied by the broker (the
// authority), the agent (its early refusals and its views) and the audit
// log's checker.
//
// Errors: kInvalidField "<field>: <why>" with the protobuf field path;
// kInvalidTransition for a status the state machine does not allow.
// Pure functions and value types; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "bus/core/status.h"
#include "docbus/v1/notice.pb.h"

namespace docbus::document {

inline constexpr size_t kMaxStatusDescriptionBytes = 2000;

// The code is one docbus carries (01-06, 13, 15, 16) and a refusal (02)
// gives its reason in `description`, of at most `max_description_bytes`.
Status CheckStatusReport(
    v1::StatusCode code, std::string_view description,
    size_t max_description_bytes = kMaxStatusDescriptionBytes);

// A complete body: CheckStatusReport plus status_id and message_id (UUIDv7),
// from.organ_id and to (agency ids, not the same: a status to oneself is
// refused), the ResponseFor and staff fields, created_unix_ms not negative,
// and UTF-8 everywhere.
Status CheckStatusBody(
    const v1::StatusBody& body,
    size_t max_description_bytes = kMaxStatusDescriptionBytes);

// Where one document stands for one of its recipients, as the statuses
// accepted so far make it (bus/broker/README.md, "Status state machine"):
//   01 < {02 | 03} < 04 < 05 < 06: a code must come strictly after the last
//   one (skips allowed); 02 only before 03, and nothing of 01-06 after it;
//   13 (from the sender) while no 13 is outstanding and not revoked;
//   15 / 16 (from the recipient) only in answer to an outstanding 13;
//   15 makes the document revoked for that recipient: nothing follows.
struct DocumentLifecycle {
  int32_t last_code = 0;            // last of 01-06 (0: none yet)
  bool revoke_outstanding = false;  // a 13 not answered yet
  bool revoked = false;             // a 13 answered 15
  bool revoke_refused = false;      // the last 13 was answered 16

  // "valid", "revoke_requested", "revoked" or "revoke_refused".
  std::string_view StateName() const;
};

// Whether `code` may come next: Ok, or kInvalidTransition saying why.
// Who may send which code (13 the sender, the others a recipient) is the
// caller's check; this is about order only.
Status CheckTransition(const DocumentLifecycle& lifecycle, v1::StatusCode code);

// `lifecycle` after `code`, which CheckTransition allowed.
void ApplyTransition(DocumentLifecycle& lifecycle, v1::StatusCode code);

// "new", "revoke", "update" or "replace" (edXML BussinessDocType 0-3), the
// name logs, audit replays and refusals use.
std::string_view BusinessTypeName(v1::BusinessType type);

// The lifecycle as one agent knows it, where the broker has the exact
// order: `revoke_requests` 13s (to that recipient) whose places among the
// recipient's statuses are unknown, and `recipient_codes`, the recipient's
// own statuses in order. Each 15 / 16 answers the earliest 13 not answered
// yet; 13s left over are outstanding.
DocumentLifecycle LifecycleOf(int revoke_requests,
                              std::span<const int32_t> recipient_codes);

}  // namespace docbus::document
