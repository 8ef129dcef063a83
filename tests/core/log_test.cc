#include "bus/core/log.h"

#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "docbus/v1/wire.pb.h"

namespace docbus {
namespace {

TEST_CASE(
    "protobuf's messages about a frame that does not parse go to the "
    "protobuf logger at debug level",
    "[log]") {
  RouteProtobufLogs();
  auto logger = ComponentLogger("protobuf");
  std::ostringstream lines;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(lines);
  logger->sinks().push_back(sink);
  const auto level = logger->level();
  logger->set_level(spdlog::level::debug);

  v1::Frame frame;
  frame.mutable_rejected()->set_message_id("x");
  std::string bytes = frame.SerializeAsString();
  bytes.back() = '\xff';  // the message id is no longer UTF-8
  CHECK_FALSE(v1::Frame().ParseFromString(bytes));

  logger->sinks().pop_back();
  logger->set_level(level);
  CHECK(lines.str().find("invalid UTF-8") != std::string::npos);
}

}  // namespace
}  // namespace docbus
