// Logging setup: one named spdlog logger per component, writing to stderr as
// one line per event with the component name. Context (agency, message id)
// goes on every line as key=value; never document contents or key material.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace docbus {

// Sets the level for every logger ("trace".."off"); false on an unknown name.
bool SetLogLevel(const std::string& level);

// "text" (the default: `<time> <level> <component>: <message>`) or "json"
// (one object per line, JsonLogFormatter) for every logger, those made
// later included; false on another name.
bool SetLogFormat(const std::string& format);

// The logger for a component, created on first use. Thread-safe.
std::shared_ptr<spdlog::logger> ComponentLogger(const std::string& component);

// Sends Protocol Buffers' own messages (e.g. "String field ... contains
// invalid UTF-8", when a peer's frame fails to parse and is refused as
// malformed) to the "protobuf" logger at debug level, instead of raw stderr
// lines beside the one line the refusal logs. Daemons and the CLI call it
// once at start.
void RouteProtobufLogs();

}  // namespace docbus
