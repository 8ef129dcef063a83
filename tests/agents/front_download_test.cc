// Downloading a received attachment: the Range parser, the attachment files
// the inbox keeps, and GET /v1/inbox/<id>/attachments/<n> over real HTTP
// against a fake agent (ranges, 416, 304, the digest and naming headers, the
// JSON view's href).
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "agents/attachment_files.h"
#include "agents/byte_range.h"
#include "agents/http_api.h"
#include "bus/core/base64.h"
#include "bus/core/ids.h"
#include "bus/crypto/sha256.h"
#include "tests/agents/front_fake_service.h"
#include "tests/temp_dir.h"

namespace docbus::agent {
namespace {

using docbus::testing::TempDir;
using Kind = ByteRangeRequest::Kind;
using nlohmann::json;
constexpr char kToken[] = "s3cret-token-0123456789abcdef";
constexpr char kId[] = "0192f3a4-5b6c-7d8e-9f01-23456789abcd";

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

TEST_CASE("Range headers: single ranges served, the rest whole or 416",
          "[front][download]") {
  auto check = [](std::string_view header, uint64_t size, Kind kind,
                  uint64_t first = 0, uint64_t last = 0) {
    INFO(header << " of " << size);
    const ByteRangeRequest r = ParseByteRange(header, size);
    CHECK(r.kind == kind);
    if (kind == Kind::kPartial) {
      CHECK(r.first == first);
      CHECK(r.last == last);
    }
  };
  check("", 100, Kind::kWhole);
  check("bytes=0-9", 100, Kind::kPartial, 0, 9);
  check("bytes=10-", 100, Kind::kPartial, 10, 99);
  check("bytes=-10", 100, Kind::kPartial, 90, 99);
  check("bytes=-1000", 100, Kind::kPartial, 0, 99);
  check("bytes=90-1000", 100, Kind::kPartial, 90, 99);
  check("bytes=99-99", 100, Kind::kPartial, 99, 99);
  check("bytes=100-", 100, Kind::kUnsatisfiable);
  check("bytes=100-200", 100, Kind::kUnsatisfiable);
  check("bytes=-0", 100, Kind::kUnsatisfiable);
  check("bytes=0-", 0, Kind::kUnsatisfiable);
  // Not served as a range: everything, 200.
  check("bytes=0-1,5-6", 100, Kind::kWhole);
  check("items=0-9", 100, Kind::kWhole);
  check("bytes=9-0", 100, Kind::kWhole);
  check("bytes=a-9", 100, Kind::kWhole);
  check("bytes=99999999999999999999-", 100, Kind::kWhole);
}

TEST_CASE("attachment files are committed only with the manifest's digest",
          "[front][download]") {
  TempDir dir;
  const AttachmentFileStore files(dir.path());
  const std::string data = RandomBytes(300'000, 7);
  const std::string sha = crypto::Sha256(data);

  SECTION("written in pieces, taken up again after a crash, committed") {
    {
      auto w = files.Begin(sha);
      REQUIRE(w.ok());
      REQUIRE((*w)->Write(data.substr(0, 100'000)).ok());
      REQUIRE((*w)->Sync().ok());
      REQUIRE((*w)->Write(data.substr(100'000, 50'000)).ok());
      // Dropped without Commit: the "crash"; 100 000 bytes were recorded.
    }
    CHECK_FALSE(files.Has(sha, data.size()));
    auto w = files.Begin(sha, 100'000);
    REQUIRE(w.ok());
    CHECK((*w)->offset() == 100'000);
    REQUIRE((*w)->Write(data.substr(100'000)).ok());
    REQUIRE((*w)->Commit().ok());
    CHECK(files.Has(sha, data.size()));
    CHECK_FALSE(std::filesystem::exists(files.PartialPathOf(sha)));
    auto r = files.Open(sha, 299'990);
    REQUIRE(r.ok());
    CHECK((*r)->Read(100).value() == data.substr(299'990));
  }
  SECTION("other bytes are refused and their partial file removed") {
    auto w = files.Begin(sha);
    REQUIRE(w.ok());
    std::string altered = data;
    altered[1234] ^= 1;
    REQUIRE((*w)->Write(altered).ok());
    CHECK((*w)->Commit().code() == Code::kDigestMismatch);
    CHECK_FALSE(files.Has(sha, data.size()));
    CHECK_FALSE(std::filesystem::exists(files.PartialPathOf(sha)));
  }
}

struct DownloadFixture {
  DownloadFixture() {
    const AttachmentFileStore files(dir.path());
    sha = crypto::Sha256(data);
    auto w = files.Begin(sha);
    REQUIRE(w.ok());
    REQUIRE((*w)->Write(data).ok());
    REQUIRE((*w)->Commit().ok());
    IncomingDocument d = testing::MakeIncoming(
        kId, {{"báo cáo \"2026\".pdf", "application/pdf", ""},
              {"small.txt", "text/plain", "hello"}});
    d.header.mutable_attachments(0)->set_size(data.size());
    d.header.mutable_attachments(0)->set_sha256(sha);
    d.header.mutable_attachments(1)->set_sha256(crypto::Sha256("hello"));
    d.attachment_files = {files.PathOf(sha), {}};
    service.AddIncoming(std::move(d));
    HttpApiOptions options;
    options.token = kToken;
    auto started = StartHttpApi(service, options);
    REQUIRE(started.ok());
    api = std::move(started).value();
  }
  httplib::Result Get(const std::string& path, httplib::Headers headers = {}) {
    httplib::Client client(api->url());
    client.set_bearer_token_auth(kToken);
    return client.Get(path.c_str(), headers);
  }
  TempDir dir;
  const std::string data = RandomBytes(3 * 1024 * 1024 + 17, 11);
  std::string sha;
  testing::FakeAgentService service;
  std::unique_ptr<HttpApi> api;
};

// The response head exactly as sent (httplib's client percent-decodes
// header values, which would hide how filename* is encoded).
std::string RawHead(const std::string& url, const std::string& path) {
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string request = "GET " + path +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Authorization: Bearer " +
                              kToken +
                              "\r\nRange: bytes=0-0\r\n"
                              "Connection: close\r\n\r\n";
  REQUIRE(::write(fd, request.data(), request.size()) ==
          static_cast<ssize_t>(request.size()));
  std::string answer;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) answer.append(buffer, n);
  ::close(fd);
  return answer.substr(0, answer.find("\r\n\r\n"));
}

const std::string kHref = std::string("/v1/inbox/") + kId + "/attachments/0";

TEST_CASE("an attachment kept in a file downloads whole with its headers",
          "[front][download]") {
  DownloadFixture f;
  auto res = f.Get(kHref);
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == f.data);
  CHECK(res->get_header_value("Content-Type") == "application/pdf");
  CHECK(res->get_header_value("Content-Length") ==
        std::to_string(f.data.size()));
  CHECK(res->get_header_value("ETag") == "\"" + Hex(f.sha) + "\"");
  CHECK(res->get_header_value("Repr-Digest") ==
        "sha-256=:" + Base64Encode(f.sha) + ":");
  CHECK(res->get_header_value("Accept-Ranges") == "bytes");
  CHECK_THAT(RawHead(f.api->url(), kHref),
             Catch::Contains(
                 "\r\nContent-Disposition: attachment; filename=\"b__o c__o "
                 "_2026_.pdf\"; "
                 "filename*=UTF-8''b%C3%A1o%20c%C3%A1o%20%222026%22.pdf\r\n"));

  auto small = f.Get(std::string("/v1/inbox/") + kId + "/attachments/1");
  REQUIRE(small);
  CHECK(small->status == 200);
  CHECK(small->body == "hello");
  CHECK(f.Get(std::string("/v1/inbox/") + kId + "/attachments/2")->status ==
        404);
}

TEST_CASE("a Range of an attachment answers 206, 416 beyond its end",
          "[front][download]") {
  DownloadFixture f;
  const uint64_t size = f.data.size();
  auto middle = f.Get(kHref, {{"Range", "bytes=1048570-2097160"}});
  REQUIRE(middle);
  CHECK(middle->status == 206);
  CHECK(middle->body == f.data.substr(1048570, 2097160 - 1048570 + 1));
  CHECK(middle->get_header_value("Content-Range") ==
        "bytes 1048570-2097160/" + std::to_string(size));
  CHECK(middle->get_header_value("Repr-Digest") ==
        "sha-256=:" + Base64Encode(f.sha) + ":");

  auto suffix = f.Get(kHref, {{"Range", "bytes=-1000"}});
  REQUIRE(suffix);
  CHECK(suffix->status == 206);
  CHECK(suffix->body == f.data.substr(size - 1000));

  auto open = f.Get(kHref, {{"Range", "bytes=3000000-"}});
  REQUIRE(open);
  CHECK(open->status == 206);
  CHECK(open->body == f.data.substr(3000000));

  auto past = f.Get(kHref, {{"Range", "bytes=" + std::to_string(size) + "-"}});
  REQUIRE(past);
  CHECK(past->status == 416);
  CHECK(past->get_header_value("Content-Range") ==
        "bytes */" + std::to_string(size));

  auto inline_slice = f.Get(std::string("/v1/inbox/") + kId + "/attachments/1",
                            {{"Range", "bytes=1-3"}});
  REQUIRE(inline_slice);
  CHECK(inline_slice->status == 206);
  CHECK(inline_slice->body == "ell");
}

TEST_CASE("If-None-Match with the attachment's ETag answers 304",
          "[front][download]") {
  DownloadFixture f;
  const std::string etag = "\"" + Hex(f.sha) + "\"";
  auto same = f.Get(kHref, {{"If-None-Match", "\"other\", " + etag}});
  REQUIRE(same);
  CHECK(same->status == 304);
  CHECK(same->body.empty());
  CHECK(same->get_header_value("ETag") == etag);
  auto other = f.Get(kHref, {{"If-None-Match", "\"other\""}});
  REQUIRE(other);
  CHECK(other->status == 200);
  CHECK(other->body == f.data);
}

TEST_CASE("the JSON view links a large attachment instead of inlining it",
          "[front][download]") {
  DownloadFixture f;
  auto res = f.Get(std::string("/v1/inbox/") + kId);
  REQUIRE(res);
  REQUIRE(res->status == 200);
  const json doc = json::parse(res->body);
  const json& big = doc["attachments"][0];
  CHECK(big["href"] == kHref);
  CHECK(big["size"] == f.data.size());
  CHECK(big["sha256"] == Hex(f.sha));
  CHECK_FALSE(big.contains("data_base64"));
  const json& small = doc["attachments"][1];
  CHECK(small["data_base64"] == Base64Encode("hello"));
  CHECK_FALSE(small.contains("href"));
}

}  // namespace
}  // namespace docbus::agent
