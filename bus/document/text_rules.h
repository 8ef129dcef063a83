// The rules every text field of a signed document or status obeys, shared by
// the header and status rules (header_rules.h, status_rules.h) and by the
// front ends that read text before a header exists (attachment names and
// media types of the agent's JSON codec).
//
// Each check returns Ok, or kInvalidField "<field>: <why>"; the message names
// the field and never repeats its contents. Pure functions; thread-safe.
#pragma once

#include <google/protobuf/message.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus::document {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// At most `max_bytes` of UTF-8 with no control character; tab and line breaks
// are allowed when `multiline` (a subject, a content, a reason).
Status CheckText(std::string_view field, std::string_view text,
                 size_t max_bytes, bool multiline);

// A name an attachment can be stored under on the recipient's disk: 1..255
// bytes of UTF-8, no '/', '\\' or control character, not starting with '.'.
Status CheckAttachmentName(std::string_view field, std::string_view name);
bool IsPlainFileName(std::string_view name);

// "type/subtype" of printable ASCII, at most 255 bytes.
Status CheckMediaType(std::string_view field, std::string_view media_type);

// Every string field of `message`, recursively, is valid UTF-8 (protobuf
// refuses to parse anything else at the receiving end); the field is named
// from `prefix`.
Status CheckUtf8Fields(const google::protobuf::Message& message,
                       const std::string& prefix);

// kInvalidField "<field>: <why>".
Status InvalidField(std::string_view field, std::string_view why);

}  // namespace docbus::document
