#include "bus/crypto/openssl_util.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <ctime>

namespace docbus::crypto {

std::string TakeOpenSslErrors() {
  std::string text;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long e =
             ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!text.empty()) text += "; ";
    text += buf;
    if ((flags & ERR_TXT_STRING) && data != nullptr && *data != '\0') {
      text += " (";
      text += data;
      text += ")";
    }
  }
  return text.empty() ? "no OpenSSL error detail" : text;
}

Status OpenSslError(Code code, std::string_view what) {
  return Status(code, std::string(what) + ": " + TakeOpenSslErrors());
}

BioPtr MemoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string MemoryBioContents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

Result<X509Ptr> ParseCertificatePem(std::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  if (!bio) return OpenSslError(Code::kInternal, "BIO_new_mem_buf");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert)
    return OpenSslError(Code::kInvalidArgument, "not a PEM certificate");
  return cert;
}

Result<X509CrlPtr> ParseCrlPem(std::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  if (!bio) return OpenSslError(Code::kInternal, "BIO_new_mem_buf");
  X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) return OpenSslError(Code::kInvalidArgument, "not a PEM CRL");
  return crl;
}

Result<EvpPkeyPtr> ParsePrivateKeyPem(std::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  if (!bio) return OpenSslError(Code::kInternal, "BIO_new_mem_buf");
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key)
    return OpenSslError(Code::kInvalidArgument, "not a PEM private key");
  return key;
}

namespace {

template <typename Write>
Result<std::string> ToPem(Write write, const char* what) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return OpenSslError(Code::kInternal, what);
  return MemoryBioContents(bio.get());
}

}  // namespace

Result<std::string> CertificateToPem(X509* cert) {
  return ToPem([&](BIO* b) { return PEM_write_bio_X509(b, cert); },
               "PEM_write_bio_X509");
}

Result<std::string> CrlToPem(X509_CRL* crl) {
  return ToPem([&](BIO* b) { return PEM_write_bio_X509_CRL(b, crl); },
               "PEM_write_bio_X509_CRL");
}

Result<std::string> PrivateKeyToPem(EVP_PKEY* key) {
  return ToPem(
      [&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr,
                                        nullptr);
      },
      "PEM_write_bio_PrivateKey");
}

Result<int64_t> AsnTimeToUnix(const ASN1_TIME* time) {
  struct tm tm {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return OpenSslError(Code::kInvalidArgument, "unreadable ASN.1 time");
  }
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace docbus::crypto
