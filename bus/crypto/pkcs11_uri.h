// A PKCS#11 URI (RFC 7512) naming a private key on a token, as written in an
// agent's `keys.signing_key` or `docbus pki request --key`:
//
//   pkcs11:token=docbus%20agency;object=signing;id=%01?pin-source=file:/etc/docbus/pin
//
// Path attributes (';'-separated, percent-decoded): token, object, id, type
// (only "private"), manufacturer, model, serial. Query attributes
// ('&'-separated): pin-source (a "file:" URI or an absolute path), pin-value,
// module-path. At least one of token/serial and one of object/id must be
// given, so a URI never picks "whatever key the first token has".
// The query part carries the PIN: Redacted() is the only form that may be
// logged or put in an error message. Value type; thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus::crypto {

inline constexpr std::string_view kPkcs11Scheme = "pkcs11:";

// True when `key_ref` is a PKCS#11 URI rather than a key file's path.
bool IsPkcs11Uri(std::string_view key_ref);

struct Pkcs11Uri {
  std::string token;  // CKA_LABEL of the token
  std::string manufacturer;
  std::string model;
  std::string serial;
  std::string object;      // CKA_LABEL of the key
  std::string id;          // CKA_ID, raw bytes
  std::string pin_source;  // a file holding the PIN ("file:" stripped)
  std::string pin_value;   // never logged
  std::string module_path;

  // kInvalidArgument (the message never repeats the query part) for a URI
  // that is not pkcs11:, has an unknown or repeated attribute, a bad
  // percent-escape, a type other than private, both pin-source and
  // pin-value, or names no token or no key.
  static Result<Pkcs11Uri> Parse(std::string_view uri);

  // The PIN: pin-value, or the first line of pin-source, which must be a
  // regular file readable by its owner only (mode 0600 or 0400).
  // kInvalidArgument naming the file (never its contents) otherwise; an
  // empty string when the URI gives no PIN (a token without login).
  Result<std::string> Pin() const;

  // "pkcs11:" and the path attributes, without the query (no PIN).
  std::string Redacted() const;
};

// `uri` up to its '?': what may be logged of a key reference that may be a
// PKCS#11 URI with a PIN in it. A file path is returned unchanged.
std::string RedactKeyReference(std::string_view key_ref);

}  // namespace docbus::crypto
