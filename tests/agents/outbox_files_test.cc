// The sending agent's outbox files: bytes streamed in are named by their
// SHA-256 once committed, a writer past its limit is refused naming the
// limit and leaves nothing, and the sweep keeps what pending documents need
// and what is young.
#include "agents/outbox_files.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "bus/crypto/sha256.h"
#include "tests/temp_dir.h"

namespace docbus::agent {
namespace {

size_t FilesIn(const std::filesystem::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    (void)e;
    ++n;
  }
  return n;
}

TEST_CASE("outbox files are named by their digest and read back by range",
          "[agent][outbox_files]") {
  ::docbus::testing::TempDir tmp;
  const OutboxFiles files(tmp.path());
  auto writer = files.Begin(1 << 20, "limits.max_attachment_bytes");
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Write("xin chào, ").ok());
  REQUIRE((*writer)->Write("tệp đính kèm").ok());
  auto stored = (*writer)->Commit();
  REQUIRE(stored.ok());
  const std::string bytes = "xin chào, tệp đính kèm";
  CHECK(stored->sha256 == crypto::Sha256(bytes));
  CHECK(stored->size == bytes.size());
  CHECK(std::filesystem::exists(files.PathOf(stored->sha256)));

  auto claimed = files.Claim(stored->sha256);
  REQUIRE(claimed.ok());
  CHECK(claimed->size == bytes.size());
  auto part = files.Read(stored->sha256, 4, 5);
  REQUIRE(part.ok());
  CHECK(*part == bytes.substr(4, 5));
  CHECK(files.Claim(crypto::Sha256("other")).status().code() ==
        Code::kNotFound);
}

TEST_CASE("an outbox file past its limit is refused naming the limit and "
          "leaves nothing", "[agent][outbox_files]") {
  ::docbus::testing::TempDir tmp;
  const OutboxFiles files(tmp.path());
  {
    auto writer = files.Begin(10, "limits.max_attachment_bytes");
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Write("0123456789").ok());
    const Status refused = (*writer)->Write("x");
    CHECK(refused.code() == Code::kTooLarge);
    CHECK(refused.message().find("limits.max_attachment_bytes (10 bytes)") !=
          std::string::npos);
    CHECK_FALSE((*writer)->Commit().ok());
  }
  CHECK(FilesIn(files.dir()) == 0);
}

TEST_CASE("the outbox sweep keeps needed and young files, removes the rest",
          "[agent][outbox_files]") {
  ::docbus::testing::TempDir tmp;
  const OutboxFiles files(tmp.path());
  std::string digests[2];
  for (int i = 0; i < 2; ++i) {
    auto writer = files.Begin(100, "limit");
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Write("document " + std::to_string(i)).ok());
    auto stored = (*writer)->Commit();
    REQUIRE(stored.ok());
    digests[i] = stored->sha256;
  }
  auto abandoned = files.Begin(100, "limit");  // an upload in progress
  REQUIRE(abandoned.ok());
  const int64_t now_s = std::time(nullptr);
  // Nothing is old yet: nothing goes.
  CHECK(files.Sweep({}, now_s - 3600) == 0);
  CHECK(FilesIn(files.dir()) == 3);
  // Everything older than "now + 1 h": only the needed one stays.
  CHECK(files.Sweep({digests[0]}, now_s + 3600) == 2);
  CHECK(std::filesystem::exists(files.PathOf(digests[0])));
  CHECK_FALSE(std::filesystem::exists(files.PathOf(digests[1])));
}

}  // namespace
}  // namespace docbus::agent
