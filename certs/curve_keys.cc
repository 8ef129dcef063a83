#include "certs/curve_keys.h"

#include <openssl/crypto.h>
#include <zmq.h>

#include <cerrno>
#include <cstring>

#include "bus/core/log.h"
#include "bus/core/files.h"

namespace docbus::pki {

Result<CurveKeys> GenerateCurveKeys() {
  char public_key[41] = {};
  char secret_key[41] = {};
  if (zmq_curve_keypair(public_key, secret_key) != 0) {
    return Status(Code::kInternal, std::string("zmq_curve_keypair: ") +
                                       zmq_strerror(zmq_errno()));
  }
  CurveKeys keys{std::string(public_key, 40), std::string(secret_key, 40)};
  OPENSSL_cleanse(secret_key, sizeof(secret_key));
  return keys;
}

Status WriteCurveKeys(const std::filesystem::path& dir, const CurveKeys& keys) {
  DOCBUS_RETURN_IF_ERROR(WriteFileAtomically(
      dir / "curve.secret", keys.secret_z85 + "\n", 0600));
  return WriteFileAtomically(dir / "curve.public",
                                       keys.public_z85 + "\n", 0644);
}

Result<std::string> CurveKeygen(const std::filesystem::path& out_dir) {
  std::error_code ec;
  if (std::filesystem::exists(out_dir / "curve.secret", ec)) {
    return Status(Code::kAlreadyExists,
                  (out_dir / "curve.secret").string() +
                      " exists; a CURVE key is never overwritten");
  }
  if (!std::filesystem::is_directory(out_dir, ec)) {
    DOCBUS_RETURN_IF_ERROR(MakeDirectory(out_dir, 0700));
  }
  DOCBUS_ASSIGN_OR_RETURN(CurveKeys keys, GenerateCurveKeys());
  DOCBUS_RETURN_IF_ERROR(WriteCurveKeys(out_dir, keys));
  OPENSSL_cleanse(keys.secret_z85.data(), keys.secret_z85.size());
  ComponentLogger("pki")->info("curve key pair written dir={}",
                               out_dir.string());
  return keys.public_z85;
}

}  // namespace docbus::pki
