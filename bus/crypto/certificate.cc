#include "bus/crypto/certificate.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "bus/crypto/sha256.h"
#include "bus/core/files.h"

namespace docbus::crypto {

Result<std::shared_ptr<const Certificate>> Certificate::FromPem(
    std::string_view pem) {
  DOCBUS_ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificatePem(pem));
  return FromX509(std::move(cert));
}

Result<std::shared_ptr<const Certificate>> Certificate::FromFile(
    const std::filesystem::path& file) {
  DOCBUS_ASSIGN_OR_RETURN(std::string pem,
                          ReadFileLimited(file, 64 * 1024));
  auto cert = FromPem(pem);
  if (!cert.ok()) {
    return Status(cert.status().code(),
                  file.string() + ": " + cert.status().message());
  }
  return cert;
}

Result<std::shared_ptr<const Certificate>> Certificate::FromX509(X509Ptr x509) {
  if (!x509) return Status(Code::kInvalidArgument, "no certificate");
  std::shared_ptr<Certificate> cert(new Certificate());

  unsigned char* der = nullptr;
  const int der_len = i2d_X509(x509.get(), &der);
  if (der_len <= 0) return OpenSslError(Code::kInvalidArgument, "i2d_X509");
  cert->fingerprint_ =
      Sha256(std::string_view(reinterpret_cast<char*>(der), der_len));
  OPENSSL_free(der);

  const X509_NAME* subject = X509_get_subject_name(x509.get());
  const int cn = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (cn >= 0) {
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(
        &utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, cn)));
    if (len < 0) return OpenSslError(Code::kInvalidArgument, "certificate CN");
    cert->common_name_.assign(reinterpret_cast<char*>(utf8), len);
    OPENSSL_free(utf8);
  }

  BIGNUM* serial =
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509.get()), nullptr);
  char* hex = serial != nullptr ? BN_bn2hex(serial) : nullptr;
  BN_free(serial);
  if (hex == nullptr)
    return OpenSslError(Code::kInvalidArgument, "serial number");
  cert->serial_hex_ = hex;
  OPENSSL_free(hex);

  DOCBUS_ASSIGN_OR_RETURN(cert->not_before_,
                          AsnTimeToUnix(X509_get0_notBefore(x509.get())));
  DOCBUS_ASSIGN_OR_RETURN(cert->not_after_,
                          AsnTimeToUnix(X509_get0_notAfter(x509.get())));

  // Decode the public key and the extensions now, so concurrent readers of
  // this certificate never race to fill OpenSSL's lazy caches.
  if (X509_get0_pubkey(x509.get()) == nullptr) {
    return OpenSslError(Code::kInvalidArgument, "certificate public key");
  }
  X509_check_purpose(x509.get(), -1, 0);
  ERR_clear_error();

  cert->cert_ = std::move(x509);
  return std::shared_ptr<const Certificate>(std::move(cert));
}

}  // namespace docbus::crypto
