#include "bus/core/status.h"

namespace docbus {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kMalformed: return "malformed";
    case Code::kTooLarge: return "too_large";
    case Code::kInvalidField: return "invalid_field";
    case Code::kBadSignature: return "bad_signature";
    case Code::kUntrustedCertificate: return "untrusted_certificate";
    case Code::kCertificateExpired: return "certificate_expired";
    case Code::kCertificateRevoked: return "certificate_revoked";
    case Code::kSignerMismatch: return "signer_mismatch";
    case Code::kSenderMismatch: return "sender_mismatch";
    case Code::kUnknownRecipient: return "unknown_recipient";
    case Code::kUnknownAgency: return "unknown_agency";
    case Code::kAgencyRevoked: return "agency_revoked";
    case Code::kDuplicateConflict: return "duplicate_conflict";
    case Code::kDigestMismatch: return "digest_mismatch";
    case Code::kExpired: return "expired";
    case Code::kUnknownDocument: return "unknown_document";
    case Code::kNotPermitted: return "not_permitted";
    case Code::kUnavailable: return "unavailable";
    case Code::kInternal: return "internal";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kNotFound: return "not_found";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kIoError: return "io_error";
    case Code::kCorruption: return "corruption";
    case Code::kFailedPrecondition: return "failed_precondition";
    case Code::kFenced: return "fenced";
    case Code::kInvalidTransition: return "invalid_transition";
    case Code::kDuplicateDocument: return "duplicate_document";
    case Code::kResourceExhausted: return "resource_exhausted";
  }
  return "unknown";
}

Status Status::Prefixed(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + ": " + message_);
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(CodeName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace docbus
