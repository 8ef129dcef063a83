// CURVE (Curve25519) key pairs for the authenticated transport, and the key
// files that hold them: one Z85 key of 40 characters, optionally followed by a
// single "\n" (<pki>/.../curve.public, curve.secret).
//
// Thread-safety: free functions without shared state; safe from any thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus::transport {

// Length of a Z85-encoded CURVE key (32 raw bytes).
inline constexpr size_t kZ85KeyLength = 40;

struct CurveKeyPair {
  std::string public_z85;
  std::string secret_z85;
};

// A fresh key pair from libzmq (libsodium). kUnavailable if libzmq was built
// without CURVE, kInternal on any other libzmq failure.
Result<CurveKeyPair> GenerateCurveKeyPair();

// The public key that belongs to `secret_z85`. kInvalidArgument if it is not
// a 40-character Z85 key.
Result<std::string> CurvePublicKey(std::string_view secret_z85);

// True if `key` is exactly 40 characters of the Z85 alphabet that decode to
// 32 bytes.
bool IsZ85Key(std::string_view key);

// Reads a key file. Success: the 40-character key without the newline.
// kNotFound / kIoError if the file cannot be read; kInvalidArgument naming the
// file if the content is anything but one Z85 key with an optional trailing
// "\n".
Result<std::string> ReadKeyFile(const std::filesystem::path& path);

// Writes `key` + "\n" to `path` (temp file + rename). `secret` → mode 0600,
// otherwise 0644. kInvalidArgument if `key` is not a Z85 key (nothing is
// written), kIoError naming the file on a write failure.
Status WriteKeyFile(const std::filesystem::path& path, std::string_view key,
                    bool secret);

}  // namespace docbus::transport
