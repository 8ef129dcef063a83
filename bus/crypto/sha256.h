// SHA-256 of a byte string: digests of document headers, attachments and
// receipts. Thread-safe; never fails (an OpenSSL failure here is a broken
// platform invariant and aborts).
#pragma once

#include <string>
#include <string_view>

namespace docbus::crypto {

// The 32 raw digest bytes.
std::string Sha256(std::string_view data);

}  // namespace docbus::crypto
