#include "bus/transport/curve_keys.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/temp_dir.h"

namespace docbus::transport {
namespace {

using ::docbus::testing::TempDir;

void WriteRaw(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

TEST_CASE("a generated CURVE key pair survives key files; the secret is 0600") {
  const TempDir tmp("docbus-curve");
  const std::filesystem::path& dir = tmp.path();
  auto pair = GenerateCurveKeyPair();
  REQUIRE(pair.ok());
  CHECK(IsZ85Key(pair->public_z85));
  CHECK(IsZ85Key(pair->secret_z85));
  CHECK(pair->public_z85 != pair->secret_z85);
  auto derived = CurvePublicKey(pair->secret_z85);
  REQUIRE(derived.ok());
  CHECK(*derived == pair->public_z85);

  REQUIRE(WriteKeyFile(dir / "curve.public", pair->public_z85, false).ok());
  REQUIRE(WriteKeyFile(dir / "curve.secret", pair->secret_z85, true).ok());
  struct stat info {};
  REQUIRE(::stat((dir / "curve.secret").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(::stat((dir / "curve.public").c_str(), &info) == 0);
  CHECK((info.st_mode & 0077) != 0);  // a public key may be read by others

  auto read_public = ReadKeyFile(dir / "curve.public");
  auto read_secret = ReadKeyFile(dir / "curve.secret");
  REQUIRE(read_public.ok());
  REQUIRE(read_secret.ok());
  CHECK(*read_public == pair->public_z85);
  CHECK(*read_secret == pair->secret_z85);

  // Written by hand without the trailing newline: still accepted.
  WriteRaw(dir / "bare.public", pair->public_z85);
  auto bare = ReadKeyFile(dir / "bare.public");
  REQUIRE(bare.ok());
  CHECK(*bare == pair->public_z85);
}

TEST_CASE("a key file holding anything but one Z85 key is refused by name") {
  const TempDir tmp("docbus-curve");
  const std::filesystem::path& dir = tmp.path();
  auto pair = GenerateCurveKeyPair();
  REQUIRE(pair.ok());
  const std::string key = pair->public_z85;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"short", key.substr(0, 39) + "\n"},
      {"crlf", key + "\r\n"},
      {"two-newlines", key + "\n\n"},
      {"two-keys", key + "\n" + key + "\n"},
      {"space", " " + key.substr(1)},
      {"quote", "\"" + key.substr(1)},
      {"empty", ""},
  };
  for (const auto& [name, content] : bad) {
    WriteRaw(dir / name, content);
    auto read = ReadKeyFile(dir / name);
    INFO(name);
    REQUIRE_FALSE(read.ok());
    CHECK(read.status().code() == Code::kInvalidArgument);
    CHECK(read.status().message().find((dir / name).string()) !=
          std::string::npos);
  }
  auto missing = ReadKeyFile(dir / "absent");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kNotFound);

  // Nothing is written for a value that is not a key.
  CHECK(WriteKeyFile(dir / "junk", "not a key", true).code() ==
        Code::kInvalidArgument);
  CHECK_FALSE(std::filesystem::exists(dir / "junk"));
}

}  // namespace
}  // namespace docbus::transport
