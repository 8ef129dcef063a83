#include "bus/transport/curve_keys.h"

#include <zmq.h>

#include <array>

#include "bus/core/files.h"

namespace docbus::transport {
namespace {

constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    ".-:+=^!/*?&<>()[]{}@%$#";

}  // namespace

bool IsZ85Key(std::string_view key) {
  if (key.size() != kZ85KeyLength) return false;
  for (char c : key) {
    if (c == '\0' || kZ85Alphabet.find(c) == std::string_view::npos) {
      return false;
    }
  }
  // Every 5-character group must decode to a value that fits in 32 bits.
  std::string text(key);
  std::array<uint8_t, 32> raw{};
  return zmq_z85_decode(raw.data(), text.c_str()) != nullptr;
}

Result<CurveKeyPair> GenerateCurveKeyPair() {
  if (!zmq_has("curve")) {
    return Status(Code::kUnavailable, "libzmq was built without CURVE");
  }
  std::array<char, kZ85KeyLength + 1> public_key{};
  std::array<char, kZ85KeyLength + 1> secret_key{};
  if (zmq_curve_keypair(public_key.data(), secret_key.data()) != 0) {
    return Status(Code::kInternal, std::string("zmq_curve_keypair: ") +
                                       zmq_strerror(zmq_errno()));
  }
  return CurveKeyPair{std::string(public_key.data(), kZ85KeyLength),
                      std::string(secret_key.data(), kZ85KeyLength)};
}

Result<std::string> CurvePublicKey(std::string_view secret_z85) {
  if (!IsZ85Key(secret_z85)) {
    return Status(Code::kInvalidArgument,
                  "CURVE secret key is not a 40-character Z85 key");
  }
  std::string secret(secret_z85);
  std::array<char, kZ85KeyLength + 1> public_key{};
  if (zmq_curve_public(public_key.data(), secret.c_str()) != 0) {
    return Status(Code::kInternal, std::string("zmq_curve_public: ") +
                                       zmq_strerror(zmq_errno()));
  }
  return std::string(public_key.data(), kZ85KeyLength);
}

Result<std::string> ReadKeyFile(const std::filesystem::path& path) {
  // A key file is tiny: anything longer than a key and its newline is junk,
  // refused below like any other content that is not one key.
  Result<std::string> content = ReadFileLimited(path, kZ85KeyLength + 1);
  if (!content.ok() && content.status().code() != Code::kTooLarge) {
    return content.status();
  }
  std::string_view key = content.ok() ? std::string_view(*content) : "";
  if (key.size() == kZ85KeyLength + 1 && key.back() == '\n') {
    key.remove_suffix(1);
  }
  if (!IsZ85Key(key)) {
    return Status(Code::kInvalidArgument,
                  "key file " + path.string() +
                      " must hold one 40-character Z85 CURVE key");
  }
  return std::string(key);
}

Status WriteKeyFile(const std::filesystem::path& path, std::string_view key,
                    bool secret) {
  if (!IsZ85Key(key)) {
    return Status(Code::kInvalidArgument,
                  "refusing to write " + path.string() +
                      ": not a 40-character Z85 CURVE key");
  }
  // Created with its final mode, so a secret is never readable by others.
  return WriteFileAtomically(path, std::string(key) + "\n",
                             secret ? 0600 : 0644);
}

}  // namespace docbus::transport
