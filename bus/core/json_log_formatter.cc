#include "bus/core/json_log_formatter.h"

#include <chrono>
#include <ctime>
#include <set>
#include <string>
#include <string_view>

namespace docbus {
namespace {

void Append(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.append(text.data(), text.data() + text.size());
}

// The length of the valid UTF-8 sequence at `s` (0 when it is not one).
size_t Utf8Length(std::string_view s) {
  const auto c = static_cast<unsigned char>(s[0]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3
                                                 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || n > s.size()) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) return 0;
  }
  if (n == 2 && c < 0xc2) return 0;  // overlong
  return n;
}

// `text` as a JSON string, quotes included.
void AppendQuoted(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const size_t n = Utf8Length(text.substr(i));
    if (n == 0) {
      Append(dest, "\xef\xbf\xbd");  // U+FFFD
      ++i;
      continue;
    }
    if (n > 1) {
      Append(dest, text.substr(i, n));
    } else if (c == '"' || c == '\\') {
      dest.push_back('\\');
      dest.push_back(c);
    } else if (c == '\n') {
      Append(dest, "\\n");
    } else if (c == '\t') {
      Append(dest, "\\t");
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      Append(dest, buf);
    } else {
      dest.push_back(c);
    }
    i += n;
  }
  dest.push_back('"');
}

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& msg,
                              spdlog::memory_buf_t& dest) {
  using namespace std::chrono;
  const auto since_epoch = msg.time.time_since_epoch();
  const time_t seconds = duration_cast<std::chrono::seconds>(since_epoch).count();
  const auto millis =
      duration_cast<milliseconds>(since_epoch).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char time[40];
  const size_t len = std::strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(time + len, sizeof time - len, ".%03dZ", static_cast<int>(millis));

  const std::string_view payload(msg.payload.data(), msg.payload.size());
  const spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
  Append(dest, "{\"time\":");
  AppendQuoted(dest, time);
  Append(dest, ",\"level\":");
  AppendQuoted(dest, std::string_view(level.data(), level.size()));
  Append(dest, ",\"component\":");
  AppendQuoted(dest, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
  Append(dest, ",\"message\":");
  AppendQuoted(dest, payload);

  // The key=value words, first of each key only.
  std::set<std::string_view> seen = {"time", "level", "component", "message"};
  size_t at = 0;
  while (at < payload.size()) {
    size_t end = payload.find(' ', at);
    if (end == std::string_view::npos) end = payload.size();
    const std::string_view word = payload.substr(at, end - at);
    const size_t eq = word.find('=');
    if (eq != std::string_view::npos && eq > 0 && eq + 1 < word.size()) {
      const std::string_view key = word.substr(0, eq);
      bool ok = key[0] >= 'a' && key[0] <= 'z';
      for (char c : key) ok = ok && IsKeyChar(c);
      if (ok && seen.insert(key).second) {
        dest.push_back(',');
        AppendQuoted(dest, key);
        dest.push_back(':');
        AppendQuoted(dest, word.substr(eq + 1));
      }
    }
    at = end + 1;
  }
  Append(dest, "}\n");
}

}  // namespace docbus
