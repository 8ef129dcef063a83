#include "agents/prefer_wait.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string_view>

#include "agents/json_codec.h"

namespace docbus::agent {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsWaitName(std::string_view name) {
  return name.size() == 4 &&
         std::equal(name.begin(), name.end(), "wait", [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// "wait=N" (optionally quoted) among one header's comma-separated
// preferences; -1 when absent or unreadable.
int64_t WaitSeconds(std::string_view header) {
  while (!header.empty()) {
    const size_t comma = std::min(header.find(','), header.size());
    std::string_view preference = header.substr(0, comma);
    header.remove_prefix(std::min(comma + 1, header.size()));
    preference = Trim(preference.substr(0, preference.find(';')));
    const size_t eq = preference.find('=');
    if (eq == std::string_view::npos || !IsWaitName(Trim(preference.substr(0, eq))))
      continue;
    std::string_view value = Trim(preference.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (value.empty() || value.size() > 9 ||
        !std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= '0' && c <= '9'; }))
      return -1;
    return std::stoll(std::string(value));
  }
  return -1;
}

}  // namespace

std::chrono::seconds PreferredWait(const httplib::Request& req) {
  const size_t headers = req.get_header_value_count("Prefer");
  for (size_t i = 0; i < headers; ++i) {
    const int64_t seconds = WaitSeconds(req.get_header_value("Prefer", i));
    if (seconds >= 0) {
      return std::min(std::chrono::seconds(seconds), kMaxPreferWait);
    }
  }
  return std::chrono::seconds(0);
}

void AnswerSubmitted(AgentService& service, const std::string& message_id,
                     std::chrono::seconds wait, WaitSlots& slots,
                     httplib::Response& res) {
  nlohmann::json body{{"message_id", message_id}};
  if (wait.count() > 0 && slots.TryTake()) {
    // The document is durable whatever the wait gives: a failed read of its
    // state leaves the answer without one, never a refusal.
    Result<OutgoingView> answer = service.AwaitAnswer(message_id, wait);
    slots.Give();
    if (answer.ok()) {
      body["state"] = answer->state;
      if (answer->state == "rejected") {
        body["reason"] = answer->reason;
        body["detail"] = answer->detail;
      }
    }
    res.set_header("Preference-Applied",
                   "wait=" + std::to_string(wait.count()));
  }
  res.status = 202;
  res.set_content(DumpJson(body), "application/json");
}

}  // namespace docbus::agent
