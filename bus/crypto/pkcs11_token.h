// A private key on a PKCS#11 token, reached through libp11 (the one file
// that wraps it): loads the module, finds the token and the key the URI
// names, logs in with the URI's PIN and returns an EVP_PKEY whose private
// operations (EVP_PKEY_sign, X509_REQ_sign) run on the token. The key never
// leaves the token. Errors carry libp11's text ("PIN incorrect") and the
// redacted URI, never the PIN. Not thread-safe by itself: Signer serialises
// its token signatures.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "bus/core/status.h"
#include "bus/crypto/openssl_util.h"
#include "bus/crypto/pkcs11_uri.h"

namespace docbus::crypto {

// p11-kit's proxy: every module registered with p11-kit
// (/usr/share/p11-kit/modules/*.module, SoftHSM2's among them).
inline constexpr std::string_view kDefaultPkcs11Module =
    "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so";

struct TokenKey {
  // Keeps the module loaded and the session logged in; released after `key`.
  std::shared_ptr<void> session;
  EvpPkeyPtr key;
};

// Opens the key `uri` names. The module is the URI's module-path, else
// `module` (empty: kDefaultPkcs11Module). kInvalidArgument for a module
// that does not load, no matching token or key (or more than one), a
// wrong PIN, or a key that is not ECDSA P-256.
Result<TokenKey> OpenTokenKey(const Pkcs11Uri& uri, std::string_view module);

}  // namespace docbus::crypto
