// The one validator of a document header (edXML MessageHeader fields plus the
// bus fields). Every entry path calls it: the agent's front ends (HTTP, drop
// folder, CLI, SDK endpoint) through the JSON codec and the DocumentBuilder,
// and the broker on every Submit; an edXML bridge calls it the same way. No
// path keeps rules of its own, so a header is refused for the same reason,
// with the same field named, wherever it enters.
//
// Errors (the first problem found): kInvalidField "<field>: <why>" with the
// protobuf field path (e.g. "code.code_number", "to[1].organ_id"), and
// kTooLarge for more attachments than the limit. Messages name fields, never
// their contents beyond ids. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "bus/core/status.h"
#include "docbus/v1/document.pb.h"

namespace docbus::document {

// Field limits. The defaults are the limits every docbus daemon applies
// unless configured otherwise; subject: 2000 bytes holds the 500 characters
// the national axis allows (QCVN 102 Subject) in any UTF-8.
struct HeaderLimits {
  size_t max_recipients = 500;
  size_t max_subject_bytes = 2000;
  size_t max_content_bytes = 64 * 1024;
  size_t max_reason_bytes = 2000;  // business_reason
  size_t max_text_bytes = 1000;    // names, places, addresses, people
  size_t max_list_items = 100;     // response_for, to_places
  size_t max_attachments = 64;
};

inline constexpr size_t kMaxCodeNumberBytes = 16;
inline constexpr size_t kMaxCodeNotationBytes = 100;
inline constexpr size_t kMaxResponseCodeBytes = 120;
inline constexpr int kMaxDocumentType = 1000;

// The lenient mode of an imported header (edxml_envelope != 0: built from an
// agency system's edXML envelope and carrying its exact bytes). Real traffic
// is not the spec: DocumentIds that are not <OrganId>,<date>,<số>/<ký hiệu>
// (a UUID, a system's own numbering), non-numeric CodeNumbers, ResponseFor
// OrganIds that are system ids ("vxp.saas.03"). In this mode these fields
// are carried as given, checked only as UTF-8 text within the limits below
// (no control characters); document_id is still required of a complete
// header. Everything else, and everything that routes (from.organ_id,
// to[].organ_id: registered agency ids, resolved from aliases by the bridge
// before the header is signed), is checked as strictly as for a native
// header. Headers docbus builds itself (edxml_envelope == 0) keep every
// strict QCVN 102 rule.
inline constexpr size_t kMaxImportedDocumentIdBytes = 200;
inline constexpr size_t kMaxImportedCodeNumberBytes = 64;
inline constexpr size_t kMaxImportedOrganIdBytes = 64;

// What the sender writes (in the lenient mode above when
// header.edxml_envelope != 0): every rule except those on the fields its agent
// fills in when it signs (message_id, from.organ_id, created_unix_ms,
// document_id when it is derived, the attachment manifest). Fields that are
// set are checked all the same. The agent's front ends call this as soon as
// a request is read, to name the bad field before anything is queued.
Status CheckDocumentRequest(const v1::DocumentHeader& header,
                            const HeaderLimits& limits = {});

// A complete header, as signed by the sender's agent and checked again by
// the broker: CheckDocumentRequest plus
//   message_id        a UUIDv7;
//   from.organ_id     an agency id, and not one of the recipients (a
//                     document to its own sender is refused);
//   document_id       present;
//   created_unix_ms   not negative;
//   attachments       at most max_attachments (kTooLarge), each with a plain
//                     file name (no duplicates), a media type and a 32-byte
//                     SHA-256;
//   edxml_envelope    0 or the 1-based index of an attachment.
Status CheckDocumentHeader(const v1::DocumentHeader& header,
                           const HeaderLimits& limits = {});

// A date a ResponseFor quotes from someone else's document: yyyy/MM/dd, or
// yyyy-MM-dd as some senders write it in a reply (a reference, not a key:
// the DocumentId is).
Status ValidateQuotedDate(std::string_view date);

}  // namespace docbus::document
