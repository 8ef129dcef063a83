#include "agents/http_request.h"

#include <algorithm>
#include <charconv>
#include <chrono>

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

namespace {

// Digits at text[at, at + n) as a number; -1 when they are not all digits.
int Digits(std::string_view text, size_t at, size_t n) {
  if (at + n > text.size()) return -1;
  int value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

Result<int64_t> ParseRfc3339Millis(std::string_view t) {
  const Status bad(Code::kInvalidField,
                   "must be Unix milliseconds or an RFC 3339 time such as "
                   "2026-12-07T08:30:00Z");
  if (t.size() < 20 || t.size() > 40 || t[4] != '-' || t[7] != '-' ||
      (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || t[13] != ':' ||
      t[16] != ':') {
    return bad;
  }
  const int year = Digits(t, 0, 4), month = Digits(t, 5, 2),
            day = Digits(t, 8, 2), hour = Digits(t, 11, 2),
            minute = Digits(t, 14, 2), second = Digits(t, 17, 2);
  if (year < 0 || month < 1 || day < 1 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60) {
    return bad;
  }
  const std::chrono::year_month_day date{
      std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
      std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return bad;
  size_t at = 19;
  int64_t millis = 0;
  if (t[at] == '.') {
    ++at;
    int64_t scale = 100;
    const size_t first = at;
    while (at < t.size() && t[at] >= '0' && t[at] <= '9') {
      millis += (t[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == first) return bad;
  }
  int64_t offset_min = 0;
  if (at < t.size() && (t[at] == 'Z' || t[at] == 'z') && at + 1 == t.size()) {
    offset_min = 0;
  } else if (at + 6 == t.size() && (t[at] == '+' || t[at] == '-') &&
             t[at + 3] == ':') {
    const int oh = Digits(t, at + 1, 2), om = Digits(t, at + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return bad;
    offset_min = (t[at] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return bad;
  }
  const int64_t days =
      std::chrono::sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second -
                          offset_min * 60;
  return seconds * 1000 + millis;
}

Result<int64_t> QueryTime(const httplib::Request& req, const char* name,
                          int64_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  int64_t value = -1;
  auto [end, err] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (err == std::errc() && end == text.data() + text.size() && value >= 0)
    return value;
  Result<int64_t> parsed = ParseRfc3339Millis(text);
  if (!parsed.ok()) return parsed.status().Prefixed(name);
  if (*parsed < 0)
    return Status(Code::kInvalidField, std::string(name) + ": before 1970");
  return parsed;
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
    case Code::kResourceExhausted:
      return 507;  // Insufficient Storage (RFC 4918)
    default:
      return 500;
  }
}

Result<InboxQuery> InboxQueryOf(const httplib::Request& req) {
  InboxQuery q;
  DOCBUS_ASSIGN_OR_RETURN(q.after_seq, QueryInt(req, "after", 0, INT64_MAX));
  DOCBUS_ASSIGN_OR_RETURN(
      q.limit, QueryInt(req, "limit", kDefaultListLimit, kMaxListLimit));
  if (req.has_param("sender")) {
    q.sender = req.get_param_value("sender");
    Status valid = ValidateAgencyId(q.sender);
    if (!valid.ok())
      return Status(Code::kInvalidField, "sender: " + valid.message());
  }
  DOCBUS_ASSIGN_OR_RETURN(int64_t priority,
                          QueryInt(req, "priority", -1, 4));
  q.priority = static_cast<int>(priority);
  DOCBUS_ASSIGN_OR_RETURN(q.since_unix_ms, QueryTime(req, "since", -1));
  DOCBUS_ASSIGN_OR_RETURN(q.until_unix_ms, QueryTime(req, "until", -1));
  if (req.has_param("state")) {
    q.state = req.get_param_value("state");
    if (std::find(std::begin(kInboxStates), std::end(kInboxStates),
                  q.state) == std::end(kInboxStates)) {
      return Status(Code::kInvalidField, "state: must be new or reported");
    }
  }
  return q;
}

}  // namespace docbus::agent
