#include "bus/core/log.h"

#include <google/protobuf/stubs/logging.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <mutex>

#include "bus/core/json_log_formatter.h"

namespace docbus {
namespace {

void ProtobufLog(google::protobuf::LogLevel level, const char* file, int line,
                 const std::string& message) {
  static const auto logger = ComponentLogger("protobuf");
  logger->log(level == google::protobuf::LOGLEVEL_FATAL
                  ? spdlog::level::critical
                  : spdlog::level::debug,
              "{} ({}:{})", message, file, line);
}

std::atomic<bool> json_lines{false};

void ApplyFormat(spdlog::logger& logger) {
  if (json_lines) {
    logger.set_formatter(std::make_unique<JsonLogFormatter>());
  } else {
    logger.set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v",
                       spdlog::pattern_time_type::utc);
  }
}

}  // namespace

bool SetLogFormat(const std::string& format) {
  if (format != "text" && format != "json") return false;
  json_lines = format == "json";
  spdlog::apply_all([](std::shared_ptr<spdlog::logger> l) { ApplyFormat(*l); });
  return true;
}

bool SetLogLevel(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") return false;
  spdlog::set_level(parsed);
  return true;
}

std::shared_ptr<spdlog::logger> ComponentLogger(const std::string& component) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (auto existing = spdlog::get(component)) return existing;
  auto logger = spdlog::stderr_logger_mt(component);
  ApplyFormat(*logger);
  return logger;
}

void RouteProtobufLogs() { google::protobuf::SetLogHandler(&ProtobufLog); }

}  // namespace docbus
