#include "bus/core/wire_reason.h"

namespace docbus {
namespace {

struct Pair {
  Code code;
  v1::Reason reason;
};

constexpr Pair kPairs[] = {
    {Code::kMalformed, v1::REASON_MALFORMED},
    {Code::kTooLarge, v1::REASON_TOO_LARGE},
    {Code::kInvalidField, v1::REASON_INVALID_FIELD},
    {Code::kBadSignature, v1::REASON_BAD_SIGNATURE},
    {Code::kUntrustedCertificate, v1::REASON_UNTRUSTED_CERTIFICATE},
    {Code::kCertificateExpired, v1::REASON_CERTIFICATE_EXPIRED},
    {Code::kCertificateRevoked, v1::REASON_CERTIFICATE_REVOKED},
    {Code::kSignerMismatch, v1::REASON_SIGNER_MISMATCH},
    {Code::kSenderMismatch, v1::REASON_SENDER_MISMATCH},
    {Code::kUnknownRecipient, v1::REASON_UNKNOWN_RECIPIENT},
    {Code::kUnknownAgency, v1::REASON_UNKNOWN_AGENCY},
    {Code::kAgencyRevoked, v1::REASON_AGENCY_REVOKED},
    {Code::kDuplicateConflict, v1::REASON_DUPLICATE_CONFLICT},
    {Code::kDigestMismatch, v1::REASON_DIGEST_MISMATCH},
    {Code::kExpired, v1::REASON_EXPIRED},
    {Code::kUnknownDocument, v1::REASON_UNKNOWN_DOCUMENT},
    {Code::kNotPermitted, v1::REASON_NOT_PERMITTED},
    {Code::kInvalidTransition, v1::REASON_INVALID_TRANSITION},
    {Code::kDuplicateDocument, v1::REASON_DUPLICATE_DOCUMENT},
    {Code::kResourceExhausted, v1::REASON_RESOURCE_EXHAUSTED},
    {Code::kUnavailable, v1::REASON_UNAVAILABLE},
    {Code::kIoError, v1::REASON_UNAVAILABLE},
    {Code::kInternal, v1::REASON_INTERNAL},
};

}  // namespace

v1::Reason ToWireReason(Code code) {
  for (const Pair& p : kPairs) {
    if (p.code == code) return p.reason;
  }
  return v1::REASON_INTERNAL;
}

Code FromWireReason(v1::Reason reason) {
  for (const Pair& p : kPairs) {
    if (p.reason == reason) return p.code;
  }
  return Code::kInternal;
}

}  // namespace docbus
