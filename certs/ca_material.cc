#include "certs/ca_material.h"

#include "bus/core/clock.h"
#include "bus/core/files.h"

namespace docbus::pki {
namespace {

constexpr uint64_t kMaxPemBytes = 64u << 20;

}  // namespace

int64_t NowSeconds() { return RealClock().NowUnixMillis() / 1000; }

Result<CaMaterial> LoadCa(const PkiPaths& paths) {
  CaMaterial ca;
  DOCBUS_ASSIGN_OR_RETURN(
      std::string cert_pem,
      ReadFileLimited(paths.root_certificate(), kMaxPemBytes));
  DOCBUS_ASSIGN_OR_RETURN(ca.cert, crypto::ParseCertificatePem(cert_pem));
  DOCBUS_ASSIGN_OR_RETURN(std::string key_pem,
                          ReadFileLimited(paths.root_key(), kMaxPemBytes));
  auto key = crypto::ParsePrivateKeyPem(key_pem);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  if (!key.ok()) return key.status();
  ca.key = std::move(key).value();
  if (X509_check_private_key(ca.cert.get(), ca.key.get()) != 1) {
    return crypto::OpenSslError(Code::kFailedPrecondition,
                                "root key does not match root.pem");
  }
  return ca;
}

Status WritePrivateKey(const std::filesystem::path& file, EVP_PKEY* key) {
  DOCBUS_ASSIGN_OR_RETURN(std::string pem, crypto::PrivateKeyToPem(key));
  Status written = WriteFileAtomically(file, pem, 0600);
  OPENSSL_cleanse(pem.data(), pem.size());
  return written;
}

Status WriteCertificate(const std::filesystem::path& file, X509* cert) {
  DOCBUS_ASSIGN_OR_RETURN(std::string pem, crypto::CertificateToPem(cert));
  return WriteFileAtomically(file, pem, 0644);
}

}  // namespace docbus::pki
