// The SDK's HMAC header authentication as the vdxp gateway checks it, with
// headers signed by the test client written from the reference (§10).
#include <catch2/catch.hpp>
#include <string>

#include "agents/vdxp/sdk_auth.h"
#include "bus/crypto/sha256.h"
#include "tests/agents/vdxp_sdk_client.h"

namespace docbus::agent::vdxp {
namespace {

using testing::SdkClient;

constexpr char kSystem[] = "vxp.saas.03";
constexpr char kSecret[] = "shared-secret-of-the-qlvb-system";

HeaderLookup LookupIn(const httplib::Headers& headers) {
  return [&headers](std::string_view name) -> std::optional<std::string> {
    auto it = headers.find(std::string(name));
    if (it == headers.end()) return std::nullopt;
    return it->second;
  };
}

Result<SdkParams> Check(const httplib::Headers& headers) {
  return AuthenticateSdkRequest(LookupIn(headers), {kSystem, kSecret});
}

httplib::Headers Signed(SdkClient::Params params = {{"docId", "doc-1"}}) {
  return SdkClient("http://unused", kSystem, kSecret).Sign(std::move(params));
}

// A file whose SHA-256 has a byte below 0x10, so the SDK's unpadded hex is
// shorter than the padded one (about 7 in 8 digests are).
std::string FileWithShortSdkHash() {
  for (int i = 0;; ++i) {
    std::string file = "<edXML>" + std::to_string(i) + "</edXML>";
    if (SdkClient::SdkFileHash(file).size() < 64) return file;
  }
}

TEST_CASE(
    "the SDK's signed headers are accepted and only signed values are "
    "handed on",
    "[vdxp][auth]") {
  httplib::Headers headers = Signed({{"docId", "doc-1"}});
  // Unsigned parameters, plain and prefixed, must not reach a call.
  headers.emplace("XroadVnpt-status", "done");
  headers.emplace("messagetype", "status");
  Result<SdkParams> params = Check(headers);
  REQUIRE(params.ok());
  CHECK(params->Get("docId") == "doc-1");
  CHECK(params->Get("docid") == "doc-1");
  CHECK(params->Get("systemid") == kSystem);
  CHECK_FALSE(params->Has("status"));
  CHECK_FALSE(params->Has("messagetype"));
  // The client's timestamp is from 2020 (the SDK never renews it): accepted.
  CHECK(params->Get("timestamp") == "01012020T000000+0000");
}

TEST_CASE("a wrong secret, a wrong systemid or an altered header is refused",
          "[vdxp][auth]") {
  SECTION("wrong secret") {
    httplib::Headers headers =
        SdkClient("http://unused", kSystem, "another-secret").Sign({});
    CHECK(Check(headers).status().code() == Code::kBadSignature);
  }
  SECTION("wrong systemid, signed with our secret") {
    httplib::Headers headers =
        SdkClient("http://unused", "vxp.saas.04", kSecret).Sign({});
    CHECK(Check(headers).status().code() == Code::kNotPermitted);
  }
  SECTION("a parameter changed after signing") {
    httplib::Headers headers = Signed({{"docId", "doc-1"}});
    headers.erase("XroadVnpt-docId");
    headers.emplace("XroadVnpt-docId", "doc-2");
    CHECK(Check(headers).status().code() == Code::kBadSignature);
  }
  SECTION("a plain header that disagrees with its signed copy") {
    httplib::Headers headers = Signed({{"docId", "doc-1"}});
    headers.emplace("docId", "doc-2");
    CHECK(Check(headers).status().code() == Code::kBadSignature);
  }
  SECTION("the hash in upper case is the same hash") {
    httplib::Headers headers = Signed();
    auto it = headers.find("XroadVnpt-hash-header");
    for (char& c : it->second) c = static_cast<char>(std::toupper(c));
    CHECK(Check(headers).ok());
  }
}

TEST_CASE("a missing authentication header is refused, naming it",
          "[vdxp][auth]") {
  for (const char* name : {"XroadVnpt-sign-header", "XroadVnpt-sign-header-key",
                           "XroadVnpt-hash-header", "XroadVnpt-docId"}) {
    CAPTURE(name);
    httplib::Headers headers = Signed({{"docId", "doc-1"}});
    headers.erase(name);
    Result<SdkParams> params = Check(headers);
    REQUIRE_FALSE(params.ok());
    CHECK(params.status().code() == Code::kMalformed);
    CHECK(params.status().message().find(name) != std::string::npos);
  }
}

TEST_CASE(
    "a key list that does not name exactly the signed headers is "
    "refused",
    "[vdxp][auth]") {
  httplib::Headers headers = Signed({{"docId", "doc-1"}});
  SECTION("a name too many") {
    auto it = headers.find("XroadVnpt-sign-header-key");
    it->second += ";status";
  }
  SECTION("a name missing") {
    auto it = headers.find("XroadVnpt-sign-header-key");
    it->second = "systemid";
  }
  CHECK(Check(headers).status().code() == Code::kMalformed);
}

TEST_CASE("hash-file is checked in the SDK's unpadded hex and in padded hex",
          "[vdxp][auth]") {
  const std::string file = FileWithShortSdkHash();
  const std::string unpadded = SdkClient::SdkFileHash(file, false);
  const std::string padded = SdkClient::SdkFileHash(file, true);
  REQUIRE(unpadded.size() < padded.size());
  CHECK(SdkUnpaddedHex(crypto::Sha256(file)) == unpadded);

  for (const std::string& declared : {unpadded, padded}) {
    Result<std::string_view> matched = FileMatchingHash(declared, file);
    REQUIRE(matched.ok());
    CHECK(*matched == file);
  }
  SECTION("the SDK's raw upload ends with a CRLF that is not the file's") {
    const std::string body = file + "\r\n";
    Result<std::string_view> matched = FileMatchingHash(unpadded, body);
    REQUIRE(matched.ok());
    CHECK(*matched == file);
  }
  SECTION("another file's hash is refused") {
    CHECK(FileMatchingHash(unpadded, file + "x").status().code() ==
          Code::kDigestMismatch);
  }
  SECTION("not hex") {
    CHECK(FileMatchingHash("not-a-hash", file).status().code() ==
          Code::kMalformed);
  }
}

}  // namespace
}  // namespace docbus::agent::vdxp
