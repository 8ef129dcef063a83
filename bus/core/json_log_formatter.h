// JsonLogFormatter: spdlog lines as one JSON object per line, for log
// shippers (journald → Loki, Filebeat, Vector): {"time", "level",
// "component", "message"}, and every `key=value` word of the message (the
// context each line carries: agency=…, message_id=…) also as a field of its
// own, unless it would replace one of the four. Strings are JSON-escaped,
// invalid UTF-8 replaced by U+FFFD, so a line is always one valid object.
#pragma once

#include <spdlog/formatter.h>

#include <memory>

namespace docbus {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLogFormatter>();
  }
};

}  // namespace docbus
