// Status and Result<T>: how every module boundary reports success or failure.
// A Status is a Code plus a human-readable message; Code values that can reach
// a peer map one-to-one to the wire Reason (see wire_reason.h). Value types,
// safe to copy and to use from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace docbus {

enum class Code : uint16_t {
  kOk = 0,
  // Reasons a submission or notice is refused (mirror docbus.v1.Reason).
  kMalformed,
  kTooLarge,
  kInvalidField,
  kBadSignature,
  kUntrustedCertificate,
  kCertificateExpired,
  kCertificateRevoked,
  kSignerMismatch,
  kSenderMismatch,
  kUnknownRecipient,
  kUnknownAgency,
  kAgencyRevoked,
  kDuplicateConflict,
  kDigestMismatch,
  kExpired,
  kUnknownDocument,
  kNotPermitted,
  kUnavailable,
  kInternal,
  // A status that does not follow the document's state machine (01 -> 02 |
  // 03 -> 04 -> 05 -> 06, 15/16 only in answer to a 13).
  kInvalidTransition,
  // A second new document with a DocumentId its sender already used.
  kDuplicateDocument,
  // The data folder's file system has less free space than the configured
  // minimum (bus/core/disk_space.h): new work is refused until space
  // returns; transient, retry later.
  kResourceExhausted,
  // Local failures that never cross the wire as such.
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kIoError,
  kCorruption,
  kFailedPrecondition,
  // This broker lost the right to write: another one is active (a store
  // transaction refused by the fencing epoch, bus/store/leader_lease.h).
  kFenced,
};

// snake_case name of a code, for logs, metrics labels and error output.
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "ok".
  std::string ToString() const;
  // The same failure with "<context>: " before its message (what it was
  // about: a config key, a file, a field); ok stays ok.
  Status Prefixed(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : value_(std::move(status)) {  // NOLINT
    if (std::get<Status>(value_).ok()) {
      value_ = Status(Code::kInternal, "Result built from an ok Status");
    }
  }

  bool ok() const { return std::holds_alternative<T>(value_); }
  Status status() const {
    return ok() ? Status::Ok() : std::get<Status>(value_);
  }
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace docbus

// Returns early from the enclosing function when `expr` is not ok.
#define DOCBUS_RETURN_IF_ERROR(expr)           \
  do {                                         \
    ::docbus::Status docbus_status_ = (expr);  \
    if (!docbus_status_.ok()) return docbus_status_; \
  } while (0)

#define DOCBUS_CONCAT_INNER_(a, b) a##b
#define DOCBUS_CONCAT_(a, b) DOCBUS_CONCAT_INNER_(a, b)
// DOCBUS_ASSIGN_OR_RETURN(auto x, MakeX()); returns the Status on failure.
#define DOCBUS_ASSIGN_OR_RETURN(lhs, expr) \
  DOCBUS_ASSIGN_OR_RETURN_IMPL_(DOCBUS_CONCAT_(docbus_result_, __LINE__), lhs, expr)
#define DOCBUS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
