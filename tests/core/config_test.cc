#include <catch2/catch.hpp>

#include "bus/core/config.h"
#include "bus/core/files.h"
#include "tests/temp_dir.h"

namespace docbus {

TEST_CASE("config reads typed values and resolves relative paths", "[config]") {
  auto config = Config::Parse(
      "[broker]\nlisten = \"tcp://127.0.0.1:*\"\ncredit = 10\n"
      "data_dir = \"var/broker\"\n",
      "/etc/docbus", "broker.toml");
  REQUIRE(config.ok());
  CHECK(config->String("broker.listen", "") == "tcp://127.0.0.1:*");
  CHECK(config->Int("broker.credit", 1, 1, 100) == 10);
  CHECK(config->Path("broker.data_dir", "") == "/etc/docbus/var/broker");
  CHECK(config->Finish().ok());
}

TEST_CASE("config problems name the key", "[config]") {
  auto config = Config::Parse("[broker]\ncredit = 1000\nlisten = 5\ntypo = 1\n",
                              "/", "broker.toml");
  REQUIRE(config.ok());
  config->Int("broker.credit", 1, 1, 100);
  Status s = config->Finish();
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message().find("broker.credit") != std::string::npos);

  auto wrong_type = Config::Parse("[broker]\nlisten = 5\n", "/", "b.toml");
  REQUIRE(wrong_type.ok());
  wrong_type->String("broker.listen", "");
  CHECK(wrong_type->Finish().message().find("broker.listen") != std::string::npos);

  auto unknown = Config::Parse("[broker]\nlistne = \"x\"\n", "/", "b.toml");
  REQUIRE(unknown.ok());
  unknown->String("broker.listen", "");
  CHECK(unknown->Finish().message().find("broker.listne") != std::string::npos);

  auto missing = Config::Parse("", "/", "b.toml");
  REQUIRE(missing.ok());
  missing->RequiredString("agent.agency_id");
  CHECK(missing->Finish().message().find("agent.agency_id") != std::string::npos);
}

TEST_CASE("a config that is not TOML is refused with its line", "[config]") {
  auto config = Config::Parse("[broker\n", "/", "broker.toml");
  REQUIRE_FALSE(config.ok());
  CHECK(config.status().message().find("broker.toml:1") != std::string::npos);
}

}  // namespace docbus

namespace docbus {

TEST_CASE("a config file is loaded from disk, and a missing one is named", "[config]") {
  const testing::TempDir tmp("docbus-config");
  const std::filesystem::path& dir = tmp.path();
  REQUIRE(WriteFileAtomically(dir / "agent.toml", "[agent]\ndata_dir = \"var\"\n").ok());
  auto config = Config::Load(dir / "agent.toml");
  REQUIRE(config.ok());
  CHECK(config->Path("agent.data_dir", "") == std::filesystem::absolute(dir) / "var");
  CHECK(config->Finish().ok());

  auto missing = Config::Load(dir / "nope.toml");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().message().find("nope.toml") != std::string::npos);
}

}  // namespace docbus
