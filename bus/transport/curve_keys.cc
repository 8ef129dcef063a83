#include "bus/transport/curve_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

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
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return Status(
        err == ENOENT ? Code::kNotFound : Code::kIoError,
        "cannot read key file " + path.string() + ": " + std::strerror(err));
  }
  // A key file is tiny; read a little more than a key to detect junk.
  std::string content(kZ85KeyLength + 3, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (in.bad()) {
    return Status(Code::kIoError, "cannot read key file " + path.string());
  }
  content.resize(static_cast<size_t>(in.gcount()));
  std::string_view key = content;
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
  std::random_device random;
  std::filesystem::path temp = path;
  temp += ".tmp" + std::to_string(random());
  const mode_t mode = secret ? 0600 : 0644;
  {
    // Create with the final mode so a secret is never readable by others.
    FILE* file = nullptr;
    const int fd =
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd >= 0) file = ::fdopen(fd, "w");
    if (file == nullptr) {
      const int err = errno;
      if (fd >= 0) ::close(fd);
      return Status(Code::kIoError, "cannot write key file " + path.string() +
                                        ": " + std::strerror(err));
    }
    const std::string line = std::string(key) + "\n";
    const bool written =
        std::fwrite(line.data(), 1, line.size(), file) == line.size() &&
        std::fflush(file) == 0 && ::fchmod(::fileno(file), mode) == 0 &&
        ::fsync(::fileno(file)) == 0;
    const int err = errno;
    if (std::fclose(file) != 0 || !written) {
      std::filesystem::remove(temp);
      return Status(Code::kIoError, "cannot write key file " + path.string() +
                                        ": " + std::strerror(err));
    }
  }
  std::error_code error;
  std::filesystem::rename(temp, path, error);
  if (error) {
    std::filesystem::remove(temp);
    return Status(Code::kIoError, "cannot write key file " + path.string() +
                                      ": " + error.message());
  }
  return Status::Ok();
}

}  // namespace docbus::transport
