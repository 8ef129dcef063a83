// The one validator of an edXML status message (StatusBody), called by the
// agent when it builds one (and by its JSON codec for what a caller reports)
// and by the broker on every SubmitStatus.
//
// Errors: kInvalidField "<field>: <why>" with the protobuf field path.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
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

}  // namespace docbus::document
