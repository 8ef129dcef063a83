// One table of bad document headers, shared by the validator's own test and
// by the tests that send the same headers down the other entry paths (the
// agent's JSON front end and builder, the broker), so that every path is
// seen refusing each header for the same reason, naming the same field.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bus/core/clock.h"
#include "bus/core/ids.h"
#include "bus/core/status.h"
#include "docbus/v1/document.pb.h"

namespace docbus::document::testing {

inline constexpr char kSender[] = "000.00.00.G22";
inline constexpr char kRecipient[] = "000.00.00.H41";

// A complete header from kSender to kRecipient that every rule accepts.
inline v1::DocumentHeader GoodHeader() {
  static const FakeClock clock;
  v1::DocumentHeader h;
  h.set_message_id(NewMessageId(clock));
  h.mutable_from()->set_organ_id(kSender);
  h.add_to()->set_organ_id(kRecipient);
  h.mutable_code()->set_code_number("12");
  h.mutable_code()->set_code_notation("UBND-VP");
  h.mutable_promulgation_info()->set_promulgation_date("2026/11/28");
  h.set_subject("Về việc triển khai trục liên thông\nvăn bản quốc gia");
  h.set_document_id(std::string(kSender) + ",2026/11/28,12/UBND-VP");
  h.set_created_unix_ms(clock.NowUnixMillis());
  return h;
}

struct BadHeader {
  std::string what;
  std::function<void(v1::DocumentHeader&)> spoil;
  Code code;
  std::string field;       // protobuf path the message starts with
  std::string json_field;  // the same field in the JSON API; "" = a field
                           // an agency system cannot send in JSON (the agent
                           // fills it)
};

inline std::vector<BadHeader> BadHeaders() {
  using H = v1::DocumentHeader;
  return {
      {"no recipient", [](H& h) { h.clear_to(); }, Code::kInvalidField, "to",
       "to"},
      {"a recipient that is not an agency id",
       [](H& h) { h.mutable_to(0)->set_organ_id("H41"); }, Code::kInvalidField,
       "to[0].organ_id", "to[0]"},
      {"a recipient listed twice",
       [](H& h) { h.add_to()->set_organ_id(kRecipient); }, Code::kInvalidField,
       "to[1].organ_id", "to[1]"},
      {"addressed to its own sender",
       [](H& h) { h.add_to()->set_organ_id(kSender); }, Code::kInvalidField,
       "to[1].organ_id", ""},
      {"no subject", [](H& h) { h.clear_subject(); }, Code::kInvalidField,
       "subject", "subject"},
      {"a subject over 2000 bytes",
       [](H& h) { h.set_subject(std::string(2001, 'a')); }, Code::kInvalidField,
       "subject", "subject"},
      {"a control character in the subject",
       [](H& h) { h.set_subject("a\x07z"); }, Code::kInvalidField, "subject",
       "subject"},
      {"a content over 64 KiB",
       [](H& h) { h.set_content(std::string(64 * 1024 + 1, 'c')); },
       Code::kInvalidField, "content", "content"},
      {"no code", [](H& h) { h.clear_code(); }, Code::kInvalidField,
       "code.code_number", "code.number"},
      {"a số that is not digits",
       [](H& h) { h.mutable_code()->set_code_number("1x"); },
       Code::kInvalidField, "code.code_number", "code.number"},
      {"a ký hiệu with a comma",
       [](H& h) { h.mutable_code()->set_code_notation("UBND,VP"); },
       Code::kInvalidField, "code.code_notation", "code.notation"},
      {"a ký hiệu over a line",
       [](H& h) { h.mutable_code()->set_code_notation("UBND\nVP"); },
       Code::kInvalidField, "code.code_notation", "code.notation"},
      {"a promulgation date that is no date",
       [](H& h) {
         h.mutable_promulgation_info()->set_promulgation_date("28/11/2026");
       },
       Code::kInvalidField, "promulgation_info.promulgation_date",
       "promulgation.date"},
      {"a due date that does not exist",
       [](H& h) { h.set_due_date("2026/02/30"); }, Code::kInvalidField,
       "due_date", "due_date"},
      {"a document type out of range",
       [](H& h) { h.mutable_document_type()->set_type(5000); },
       Code::kInvalidField, "document_type.type", "document_type.type"},
      {"a signer name over 1000 bytes",
       [](H& h) {
         h.mutable_signer_info()->set_full_name(std::string(1001, 'n'));
       },
       Code::kInvalidField, "signer_info.full_name", "signer.full_name"},
      {"priority 7", [](H& h) { h.set_priority(static_cast<v1::Priority>(7)); },
       Code::kInvalidField, "priority", "priority"},
      {"steering type 3", [](H& h) { h.set_steering_type(3); },
       Code::kInvalidField, "steering_type", "steering_type"},
      {"business type 9",
       [](H& h) { h.set_business_type(static_cast<v1::BusinessType>(9)); },
       Code::kInvalidField, "business_type", "business.type"},
      {"a revocation naming no document",
       [](H& h) { h.set_business_type(v1::BUSINESS_REVOKE); },
       Code::kInvalidField, "business_target_document_id",
       "business.target_document_id"},
      {"a response for an organ that is not an agency id",
       [](H& h) { h.add_response_for()->set_organ_id("28.22.H17"); },
       Code::kInvalidField, "response_for[0].organ_id",
       "response_for[0].organ_id"},
      {"a response for a date that is no date",
       [](H& h) { h.add_response_for()->set_promulgation_date("2026.10.01"); },
       Code::kInvalidField, "response_for[0].promulgation_date",
       "response_for[0].promulgation_date"},
      {"a place with a control character",
       [](H& h) { h.add_to_places("Lưu:\tVT"); }, Code::kInvalidField,
       "to_places[0]", "to_places[0]"},
      {"a DocumentId that is not edXML",
       [](H& h) { h.set_document_id("not-an-edxml-document-id"); },
       Code::kInvalidField, "document_id", "document_id"},
      {"a message id that is not a UUIDv7",
       [](H& h) { h.set_message_id("42"); }, Code::kInvalidField, "message_id",
       ""},
      {"a sender that is not an agency id",
       [](H& h) { h.mutable_from()->set_organ_id("G22"); }, Code::kInvalidField,
       "from.organ_id", ""},
      {"a manifest entry without a SHA-256",
       [](H& h) {
         auto* a = h.add_attachments();
         a->set_name("cv.pdf");
         a->set_media_type("application/pdf");
         a->set_sha256("short");
       },
       Code::kInvalidField, "attachments[0].sha256", ""},
      {"an attachment name that climbs out of a folder",
       [](H& h) {
         auto* a = h.add_attachments();
         a->set_name("../cv.pdf");
         a->set_media_type("application/pdf");
         a->set_sha256(std::string(32, 'x'));
       },
       Code::kInvalidField, "attachments[0].name", ""},
      {"a negative expiry", [](H& h) { h.set_expires_unix_ms(-1); },
       Code::kInvalidField, "expires_unix_ms", ""},
  };
}

}  // namespace docbus::document::testing
