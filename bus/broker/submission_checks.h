// Field checks of what agencies submit, before any signature work: a
// document header's edXML fields (ids, dates, priority, subject length,
// recipients) and a status body's. Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include "bus/core/status.h"
#include "docbus/v1/document.pb.h"
#include "docbus/v1/notice.pb.h"

namespace docbus::broker {

// Ok, or the first problem:
//   kInvalidField  message id, from / to organ ids, DocumentId, a date, the
//                  priority (0-4), business type, an empty or duplicated
//                  recipient list, a negative expiry;
//   kTooLarge      subject over `max_subject_bytes`.
// The message names the field, never its contents beyond ids.
Status CheckDocumentHeader(const v1::DocumentHeader& header,
                           int64_t max_subject_bytes);

// Ok, or kInvalidField naming the field: status id, message id, from / to
// organ ids, the code (01-06, 13, 15, 16), a description for 02.
Status CheckStatusBody(const v1::StatusBody& body);

}  // namespace docbus::broker
