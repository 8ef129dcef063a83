#include "bus/audit/hash.h"

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bus/core/base64.h"
#include "bus/core/ids.h"

namespace docbus::audit {
namespace {

// The SHA256_Init/Update/Final calls are deprecated in OpenSSL 3 in favour
// of EVP, but EVP's per-call dispatch costs as much as hashing a 65-byte
// node: with EVP, `docbus audit verify` of a million entries took 2.06 s of
// CPU, with these 1.25 s. They stay, in this one file.
Hash Digest(uint8_t prefix, const void* a, size_t a_len, const void* b,
            size_t b_len) {
  SHA256_CTX ctx;
  Hash out;
  if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, &prefix, 1) != 1 ||
      (a_len > 0 && SHA256_Update(&ctx, a, a_len) != 1) ||
      (b_len > 0 && SHA256_Update(&ctx, b, b_len) != 1) ||
      SHA256_Final(out.data(), &ctx) != 1) {
    std::fprintf(stderr, "docbus audit: SHA-256 failed\n");
    std::abort();
  }
  return out;
}

}  // namespace

Hash LeafHash(std::string_view entry) {
  return Digest(0x00, entry.data(), entry.size(), nullptr, 0);
}

Hash NodeHash(const Hash& left, const Hash& right) {
  return Digest(0x01, left.data(), left.size(), right.data(), right.size());
}

Hash EmptyTreeHash() {
  static const Hash empty = [] {
    Hash h;
    SHA256(reinterpret_cast<const unsigned char*>(""), 0, h.data());
    return h;
  }();
  return empty;
}

std::string HashToBase64(const Hash& hash) {
  return Base64Encode(HashBytes(hash));
}

std::optional<Hash> HashFromBase64(std::string_view text) {
  if (text.size() != 44) return std::nullopt;
  auto bytes = Base64Decode(text);
  if (!bytes) return std::nullopt;
  return HashFromBytes(*bytes);
}

std::string HashToHex(const Hash& hash) { return Hex(HashBytes(hash)); }

std::string HashBytes(const Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

std::optional<Hash> HashFromBytes(std::string_view bytes) {
  if (bytes.size() != 32) return std::nullopt;
  Hash h;
  std::memcpy(h.data(), bytes.data(), 32);
  return h;
}

}  // namespace docbus::audit
