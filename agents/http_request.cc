#include "agents/http_request.h"

#include <charconv>

#include "bus/core/ids.h"

namespace docbus::agent {

Result<HttpListenAddress> ParseLoopbackListen(std::string_view listen,
                                              std::string_view key) {
  const std::string name(key);
  Result<HttpListenAddress> address = ParseHttpListen(listen, name);
  if (!address.ok()) {
    return Status(Code::kInvalidArgument,
                  name + " must be <loopback host>:<port>, got '" +
                      std::string(listen.substr(0, 80)) + "'");
  }
  if (address->host != "127.0.0.1" && address->host != "::1") {
    return Status(Code::kInvalidArgument,
                  name + " must be on loopback (127.0.0.1 or [::1]): it is "
                         "for the agency's own systems on this machine");
  }
  return address;
}

Result<int64_t> QueryInt(const httplib::Request& req, const char* name,
                         int64_t fallback, int64_t max) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  int64_t value = -1;
  auto [end, err] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc() || end != text.data() + text.size() || value < 0 ||
      value > max) {
    return Status(Code::kInvalidField, std::string(name) +
                                           ": must be an integer from 0 to " +
                                           std::to_string(max));
  }
  return value;
}

Result<std::string> PathMessageId(const httplib::Request& req) {
  std::string id = req.matches[1];
  Status valid = ValidateMessageId(id);
  if (!valid.ok())
    return Status(Code::kInvalidField, "message_id: " + valid.message());
  return id;
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kMalformed:
    case Code::kInvalidField:
    case Code::kInvalidArgument:
    case Code::kUnknownRecipient:
    case Code::kUnknownAgency:
    case Code::kAgencyRevoked:
    case Code::kUnknownDocument:
    case Code::kDigestMismatch:
      return 400;
    case Code::kNotPermitted:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
    case Code::kDuplicateConflict:
    case Code::kDuplicateDocument:
    case Code::kInvalidTransition:
    case Code::kFailedPrecondition:
      return 409;
    case Code::kTooLarge:
      return 413;
    case Code::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

}  // namespace docbus::agent
