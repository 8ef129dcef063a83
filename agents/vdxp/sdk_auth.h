// The national axis SDK's request authentication (SDKVXP 2.0.1,
// VnptService.addXroadVnptHashHeader), checked on every call the vdxp
// gateway serves. The SDK sends each of its parameters h (systemid,
// timestamp, Content-Type, docId, ...) as a header XroadVnpt-h, the JSON
// object of those headers as XroadVnpt-sign-header, their names ';'-joined
// as XroadVnpt-sign-header-key, and XroadVnpt-hash-header = hex
// HMAC-SHA256(secret, the sign-header JSON). A request is authentic when the
// HMAC matches, the key list names exactly the signed headers, every header
// sent agrees with its signed value, and the signed systemid is ours. Only
// signed values are handed on: an unsigned header never reaches a call.
//
// sendEdoc also carries hash-file, the SHA-256 of the edXML file, which the
// SDK writes without zero padding (Integer.toHexString per byte);
// FileMatchingHash accepts that spelling as well as the padded one.
//
// Pure functions; thread-safe. Comparisons of secrets and digests take the
// same time whatever the position of the first difference.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus::agent::vdxp {

struct SdkCredentials {
  std::string system_id;
  std::string secret;  // the shared HMAC key; never logged
};

// A request header by name, case-insensitively; nullopt when absent.
using HeaderLookup =
    std::function<std::optional<std::string>(std::string_view name)>;

// Less-than on header names ignoring ASCII case ("docId" == "docid").
struct HeaderNameLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};

// The signed parameters of one authenticated request, by name without the
// XroadVnpt- prefix.
class SdkParams {
 public:
  explicit SdkParams(std::map<std::string, std::string, HeaderNameLess> values)
      : values_(std::move(values)) {}
  // The value, or "" when the request did not sign it.
  std::string Get(std::string_view name) const;
  bool Has(std::string_view name) const { return values_.contains(name); }

 private:
  std::map<std::string, std::string, HeaderNameLess> values_;
};

// Bounds on the authentication headers (the SDK's are a few hundred bytes).
inline constexpr size_t kMaxSignHeaderBytes = 16 * 1024;
inline constexpr size_t kMaxSignedHeaders = 64;

// Ok with the signed parameters, or: kMalformed when an authentication
// header is missing or not what the SDK sends (naming the header);
// kBadSignature when the HMAC does not match (wrong secret, or a header
// changed after signing); kNotPermitted when the signed systemid is not
// `credentials.system_id`. The timestamp header is not checked for
// freshness (the SDK sets it once per service object; see README.md).
Result<SdkParams> AuthenticateSdkRequest(const HeaderLookup& headers,
                                         const SdkCredentials& credentials);

// Hex HMAC-SHA256(key, data), lowercase, as the SDK's hash-header.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// A digest as the SDK's hash-file spells it: each byte in lowercase hex
// without its leading zero (0x0a -> "a").
std::string SdkUnpaddedHex(std::string_view digest);

// The uploaded edXML file whose SHA-256 `declared` names (SDK unpadded or
// padded hex, any case): `body` itself, or `body` without one trailing CRLF
// (the SDK's MultipartUtility ends the raw upload with "\r\n").
// kDigestMismatch when neither matches; kMalformed when `declared` is not
// hex of a plausible length.
Result<std::string_view> FileMatchingHash(std::string_view declared,
                                          std::string_view body);

}  // namespace docbus::agent::vdxp
