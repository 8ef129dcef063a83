// CURVE (ZeroMQ transport) key pairs for agencies and the broker, made with
// libzmq's zmq_curve_keypair directly so the PKI tool does not depend on
// bus/transport. Key files hold one Z85 key (40 characters) and "\n"; the
// secret file is written 0600. Thread-safe. Secret keys are never logged.
#pragma once

#include <filesystem>
#include <string>

#include "bus/core/status.h"

namespace docbus::pki {

struct CurveKeys {
  std::string public_z85;
  std::string secret_z85;
};

// A fresh key pair; kInternal when libzmq has no CURVE support.
Result<CurveKeys> GenerateCurveKeys();

// Writes <dir>/curve.public and <dir>/curve.secret (0600) crash-safely.
Status WriteCurveKeys(const std::filesystem::path& dir, const CurveKeys& keys);

// `docbus pki curve-keygen`: creates `out_dir` if needed and writes a fresh
// pair there; kAlreadyExists if out_dir/curve.secret exists (a key is never
// overwritten). Returns the public key.
Result<std::string> CurveKeygen(const std::filesystem::path& out_dir);

}  // namespace docbus::pki
