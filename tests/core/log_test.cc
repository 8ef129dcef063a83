#include "bus/core/log.h"

#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
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

// What `logger` writes for each of `messages` at info level, in format
// `format` ("text" or "json"), one line each.
std::vector<std::string> Lines(const std::string& format,
                               const std::vector<std::string>& messages) {
  auto logger = ComponentLogger("format-test");
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  // An added sink takes the logger's format when it is set after it.
  logger->sinks().push_back(sink);
  REQUIRE(SetLogFormat(format));
  for (const auto& m : messages) logger->info("{}", m);
  logger->sinks().pop_back();
  REQUIRE(SetLogFormat("text"));
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_CASE("JSON log lines are one valid object each, with the message's "
          "key=value context as fields",
          "[log]") {
  const std::vector<std::string> lines = Lines(
      "json",
      {"document accepted agency=000.00.00.G22 message_id=7f3a index=12",
       "quote \" backslash \\ newline \n tab \t bell \x07 end",
       std::string("bad utf-8 \xff\xfe and Vi\xe1\xbb\x87t"),
       "time=forged level=forged agency=A agency=B =x y= z"});
  REQUIRE(lines.size() == 4);
  std::vector<nlohmann::json> objects;
  for (const auto& line : lines) {
    INFO(line);
    objects.push_back(nlohmann::json::parse(line));  // throws if not JSON
  }
  CHECK(objects[0]["level"] == "info");
  CHECK(objects[0]["component"] == "format-test");
  CHECK(objects[0]["message"] ==
        "document accepted agency=000.00.00.G22 message_id=7f3a index=12");
  CHECK(objects[0]["agency"] == "000.00.00.G22");
  CHECK(objects[0]["message_id"] == "7f3a");
  CHECK(objects[0]["index"] == "12");
  CHECK(objects[0]["time"].get<std::string>().size() ==
        std::string("2026-12-07T08:00:00.000Z").size());
  CHECK(objects[1]["message"] ==
        "quote \" backslash \\ newline \n tab \t bell \x07 end");
  CHECK(objects[2]["message"] ==
        std::string("bad utf-8 \xef\xbf\xbd\xef\xbf\xbd and Vi\xe1\xbb\x87t"));
  // The fixed fields keep their values; a repeated key keeps its first.
  CHECK(objects[3]["level"] == "info");
  CHECK(objects[3]["time"] != "forged");
  CHECK(objects[3]["agency"] == "A");
  CHECK_FALSE(objects[3].contains(""));
  CHECK_FALSE(objects[3].contains("y"));
}

TEST_CASE("the text format is the default, and an unknown format is refused",
          "[log]") {
  const std::vector<std::string> lines = Lines("text", {"hello agency=X"});
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::EndsWith(" info format-test: hello agency=X"));
  CHECK_FALSE(SetLogFormat("xml"));
}

}  // namespace
}  // namespace docbus
