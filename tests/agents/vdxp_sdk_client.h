// A national axis SDK client for the tests, written from the wire protocol
// in reference/vdxp-edxml.md §10 (SDKVXP 2.0.1), not from the gateway's
// code: it signs its own headers (HMAC-SHA256 with OpenSSL here, hash-file
// in the SDK's unpadded hex), uploads file_doc as multipart or as the SDK's
// raw body, and decodes getEdoc's base64 itself. Like the SDK, its
// timestamp header is set once when the client is made and never renewed.
// Header-only; one client per thread.
#pragma once

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace docbus::agent::testing {

struct SdkAnswer {
  int http_status = 0;  // 0 when the call got no answer
  nlohmann::json body;  // the JSON answer (null when not JSON)
  std::string raw;      // the body as received
  std::string status() const {
    return body.is_object() && body.contains("status")
               ? body["status"].get<std::string>()
               : "";
  }
  std::string error_code() const {
    return body.is_object() && body.contains("ErrorCode")
               ? body["ErrorCode"].get<std::string>()
               : "";
  }
};

class SdkClient {
 public:
  using Params = std::map<std::string, std::string>;

  SdkClient(std::string endpoint, std::string system_id, std::string secret)
      : endpoint_(std::move(endpoint)),
        system_id_(std::move(system_id)),
        secret_(std::move(secret)),
        timestamp_("01012020T000000+0000") {}

  // What the test may break on purpose.
  std::string& system_id() { return system_id_; }
  std::string& secret() { return secret_; }

  static std::string HexOf(const unsigned char* bytes, size_t n, bool pad) {
    std::string out;
    char buf[3];
    for (size_t i = 0; i < n; ++i) {
      std::snprintf(buf, sizeof(buf), pad ? "%02x" : "%x", bytes[i]);
      out += buf;
    }
    return out;
  }

  // SHA-256 of the file as the SDK's createContentHA256 writes it.
  static std::string SdkFileHash(const std::string& file, bool pad = false) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(file.data()), file.size(),
           digest);
    return HexOf(digest, sizeof(digest), pad);
  }

  // The headers the SDK sends for `params`: XroadVnpt-<h> for each, the
  // signed JSON, its key list and its HMAC.
  httplib::Headers Sign(Params params) const {
    params.emplace("systemid", system_id_);
    params.emplace("timestamp", timestamp_);
    nlohmann::json signed_json = nlohmann::json::object();
    std::string keys;
    httplib::Headers headers;
    for (const auto& [name, value] : params) {
      signed_json["XroadVnpt-" + name] = value;
      headers.emplace("XroadVnpt-" + name, value);
      if (!keys.empty()) keys += ";";
      keys += name;
    }
    const std::string sign_header = signed_json.dump();
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(sign_header.data()),
         sign_header.size(), mac, &length);
    headers.emplace("XroadVnpt-sign-header", sign_header);
    headers.emplace("XroadVnpt-sign-header-key", keys);
    headers.emplace("XroadVnpt-hash-header", HexOf(mac, length, true));
    headers.emplace("XroadVnpt-version", "3.0.201608");
    headers.emplace("User-Agent", "JAVASDKAgent/1.0.0 XRoad/VPCP");
    return headers;
  }

  // A JSON-parameter call (POST, or GET for the count and download calls).
  SdkAnswer Call(const std::string& call, Params params,
                 const std::string& method = "POST") const {
    params.emplace("Content-Type", "application/json");
    return Send(call, method, Sign(params), "", "application/json");
  }

  // Sends exactly these headers (a test that removes or alters one).
  SdkAnswer Send(const std::string& call, const std::string& method,
                 const httplib::Headers& headers, const std::string& body,
                 const std::string& content_type) const {
    httplib::Client client(endpoint_);
    client.set_read_timeout(60, 0);
    httplib::Result res = method == "GET"
                              ? client.Get(("/" + call).c_str(), headers)
                              : client.Post(("/" + call).c_str(), headers, body,
                                            content_type.c_str());
    return Answer(res);
  }

  // sendEdoc with the file in a multipart part file_doc; `hash` overrides
  // the hash-file the SDK would compute.
  SdkAnswer SendEdoc(const std::string& file,
                     const std::string& messagetype = "edoc",
                     std::string hash = "") const {
    if (hash.empty()) hash = SdkFileHash(file);
    httplib::Headers headers = Sign(SendParams(messagetype, hash));
    httplib::Client client(endpoint_);
    client.set_read_timeout(60, 0);
    httplib::MultipartFormDataItems items = {
        {"file_doc", file, "edoc.edxml", "application/octet-stream"}};
    return Answer(client.Post("/sendEdoc", headers, items));
  }

  // sendEdoc as SDKVXP's MultipartUtility really sends it: the file's raw
  // bytes and a CRLF, under Content-Type application/octet-stream.
  SdkAnswer SendEdocRaw(const std::string& file,
                        const std::string& messagetype = "edoc") const {
    httplib::Headers headers = Sign(SendParams(messagetype, SdkFileHash(file)));
    headers.emplace("Content-Type", "application/octet-stream");
    return Send("sendEdoc", "POST", headers, file + "\r\n",
                "application/octet-stream");
  }

  // getEdoc's `data`, base64-decoded ("" when absent or not base64).
  static std::string DecodeData(const SdkAnswer& answer) {
    if (!answer.body.is_object() || !answer.body.contains("data")) return "";
    const std::string text = answer.body["data"].get<std::string>();
    std::string out((text.size() / 4 + 1) * 3, '\0');
    const int n =
        EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(text.data()),
                        static_cast<int>(text.size()));
    if (n < 0) return "";
    size_t size = static_cast<size_t>(n);
    if (text.ends_with("=="))
      size -= 2;
    else if (text.ends_with("="))
      size -= 1;
    out.resize(size);
    return out;
  }

 private:
  static Params SendParams(const std::string& messagetype,
                           const std::string& hash) {
    return {{"Content-Type", "application/octet-stream"},
            {"from", "000.00.00.G22"},
            {"to", "[\"000.00.00.H41\"]"},
            {"servicetype", "eDoc"},
            {"messagetype", messagetype},
            {"hash-file", hash}};
  }

  static SdkAnswer Answer(const httplib::Result& res) {
    SdkAnswer answer;
    if (!res) return answer;
    answer.http_status = res->status;
    answer.raw = res->body;
    answer.body = nlohmann::json::parse(res->body, nullptr, false);
    if (answer.body.is_discarded()) answer.body = nullptr;
    return answer;
  }

  std::string endpoint_;
  std::string system_id_;
  std::string secret_;
  std::string timestamp_;
};

}  // namespace docbus::agent::testing
