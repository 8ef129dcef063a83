// RFC 6962 hashing for the audit log: leaf and interior node hashes
// (SHA-256 with the 0x00 / 0x01 domain-separation prefixes), the empty-tree
// root, and the base64/hex text forms used by checkpoints and proofs.
// Pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace docbus::audit {

using Hash = std::array<uint8_t, 32>;

// SHA-256(0x00 || entry): the hash of one stored entry, over its exact bytes.
Hash LeafHash(std::string_view entry);
// SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256(""): the root of the tree of size 0.
Hash EmptyTreeHash();

// Standard base64 with padding (44 characters for a Hash).
std::string HashToBase64(const Hash& hash);
// Strict: exactly 44 canonical base64 characters decoding to 32 bytes;
// nullopt otherwise.
std::optional<Hash> HashFromBase64(std::string_view text);
// Lowercase hex (64 characters).
std::string HashToHex(const Hash& hash);

// The 32 raw bytes of a hash as a string (for protobuf bytes fields).
std::string HashBytes(const Hash& hash);
// nullopt unless `bytes` is exactly 32 bytes long.
std::optional<Hash> HashFromBytes(std::string_view bytes);

}  // namespace docbus::audit
