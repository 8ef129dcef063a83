// The one file of the vdxp gateway that uses OpenSSL's HMAC.
#include "agents/vdxp/sdk_auth.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "bus/core/ids.h"
#include "bus/core/secret_compare.h"
#include "bus/crypto/sha256.h"

namespace docbus::agent::vdxp {
namespace {

constexpr std::string_view kPrefix = "XroadVnpt-";
constexpr char kSignHeader[] = "XroadVnpt-sign-header";
constexpr char kSignHeaderKey[] = "XroadVnpt-sign-header-key";
constexpr char kHashHeader[] = "XroadVnpt-hash-header";

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), Lower);
  return out;
}

bool SameName(std::string_view a, std::string_view b) {
  return !HeaderNameLess()(a, b) && !HeaderNameLess()(b, a);
}

Status Missing(std::string_view header) {
  return Status(Code::kMalformed,
                std::string(header) + ": missing (the SDK signs every call)");
}

// The ';'-joined names of XroadVnpt-sign-header-key, each once.
Result<std::set<std::string, HeaderNameLess>> SignedNames(
    std::string_view list) {
  std::set<std::string, HeaderNameLess> names;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t end = std::min(list.find(';', start), list.size());
    const std::string_view name = list.substr(start, end - start);
    if (name.empty() || !names.emplace(name).second) {
      return Status(Code::kMalformed, std::string(kSignHeaderKey) +
                                          ": an empty or repeated name");
    }
    start = end + 1;
  }
  if (names.size() > kMaxSignedHeaders) {
    return Status(Code::kMalformed,
                  std::string(kSignHeaderKey) + ": more than " +
                      std::to_string(kMaxSignedHeaders) + " names");
  }
  return names;
}

}  // namespace

bool HeaderNameLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(
      a.begin(), a.end(), b.begin(), b.end(),
      [](char x, char y) { return Lower(x) < Lower(y); });
}

std::string SdkParams::Get(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string() : it->second;
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           mac, &length) == nullptr) {
    // HMAC-SHA256 of bytes in memory cannot fail on a working platform.
    std::abort();
  }
  return Hex(std::string_view(reinterpret_cast<char*>(mac), length));
}

std::string SdkUnpaddedHex(std::string_view digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    if (b >= 16) out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

Result<std::string_view> FileMatchingHash(std::string_view declared,
                                          std::string_view body) {
  // 32 bytes: 64 digits padded, at least 32 unpadded.
  const bool hex = std::all_of(declared.begin(), declared.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (!hex || declared.size() < 32 || declared.size() > 64) {
    return Status(Code::kMalformed,
                  "hash-file: not the hex SHA-256 of the edXML file");
  }
  const std::string given = ToLower(declared);
  auto matches = [&given](std::string_view file) {
    const std::string digest = crypto::Sha256(file);
    // Both spellings are compared, so the time does not tell which matched.
    const bool unpadded = SameSecret(given, SdkUnpaddedHex(digest));
    const bool padded = SameSecret(given, Hex(digest));
    return unpadded || padded;
  };
  if (matches(body)) return body;
  constexpr std::string_view kCrlf = "\r\n";
  if (body.ends_with(kCrlf)) {
    std::string_view trimmed = body.substr(0, body.size() - kCrlf.size());
    if (matches(trimmed)) return trimmed;
  }
  return Status(Code::kDigestMismatch,
                "hash-file: does not match the SHA-256 of the uploaded file");
}

Result<SdkParams> AuthenticateSdkRequest(const HeaderLookup& headers,
                                         const SdkCredentials& credentials) {
  const std::optional<std::string> sign_header = headers(kSignHeader);
  if (!sign_header) return Missing(kSignHeader);
  const std::optional<std::string> key_list = headers(kSignHeaderKey);
  if (!key_list) return Missing(kSignHeaderKey);
  const std::optional<std::string> hash = headers(kHashHeader);
  if (!hash) return Missing(kHashHeader);
  if (sign_header->size() > kMaxSignHeaderBytes ||
      key_list->size() > kMaxSignHeaderBytes) {
    return Status(Code::kMalformed,
                  std::string(kSignHeader) + ": longer than " +
                      std::to_string(kMaxSignHeaderBytes) + " bytes");
  }
  // The HMAC first: nothing else of an unauthenticated request is looked at
  // beyond its size.
  if (!SameSecret(ToLower(*hash),
                 HmacSha256Hex(credentials.secret, *sign_header))) {
    return Status(Code::kBadSignature,
                  std::string(kHashHeader) +
                      ": not the HMAC of the signed headers under this "
                      "system's secret");
  }
  DOCBUS_ASSIGN_OR_RETURN(auto names, SignedNames(*key_list));
  const nlohmann::json signed_json =
      nlohmann::json::parse(*sign_header, nullptr, /*allow_exceptions=*/false);
  if (!signed_json.is_object()) {
    return Status(Code::kMalformed,
                  std::string(kSignHeader) + ": not a JSON object");
  }
  std::map<std::string, std::string, HeaderNameLess> values;
  for (const auto& [key, value] : signed_json.items()) {
    if (key.size() <= kPrefix.size() ||
        !SameName(std::string_view(key).substr(0, kPrefix.size()), kPrefix) ||
        !value.is_string()) {
      return Status(Code::kMalformed,
                    std::string(kSignHeader) +
                        ": every member must be \"XroadVnpt-<name>\": string");
    }
    std::string name = key.substr(kPrefix.size());
    if (!names.contains(name)) {
      return Status(Code::kMalformed, std::string(kSignHeaderKey) +
                                          ": does not name the signed header " +
                                          name);
    }
    values.emplace(std::move(name), value.get<std::string>());
  }
  if (values.size() != names.size()) {
    return Status(Code::kMalformed, std::string(kSignHeaderKey) +
                                        ": names a header that is not signed");
  }
  for (const auto& [name, value] : values) {
    const std::string copy_name = std::string(kPrefix) + name;
    const std::optional<std::string> copy = headers(copy_name);
    if (!copy) return Missing(copy_name);
    if (*copy != value) {
      return Status(Code::kBadSignature,
                    copy_name + ": differs from its signed value");
    }
    // The SDK sends Content-Type plain too, but its multipart upload puts
    // its own there; every other plain copy must agree.
    if (SameName(name, "Content-Type")) continue;
    const std::optional<std::string> plain = headers(name);
    if (plain && *plain != value) {
      return Status(Code::kBadSignature,
                    name + ": differs from its signed value");
    }
  }
  auto system_id = values.find("systemid");
  if (system_id == values.end()) {
    return Status(Code::kMalformed, "XroadVnpt-systemid: missing");
  }
  if (!SameSecret(system_id->second, credentials.system_id)) {
    return Status(Code::kNotPermitted,
                  "systemid: not the system this gateway serves");
  }
  return SdkParams(std::move(values));
}

}  // namespace docbus::agent::vdxp
