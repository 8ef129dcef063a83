// The registry's only use of OpenSSL: reading a certificate's subject CN, so
// the registry can check it names the agency. Signature and chain checks are
// bus/crypto's job.
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "bus/registry/agency_registry.h"

namespace docbus::registry {
namespace {

std::string DrainErrors() {
  std::string text;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? "no OpenSSL error text" : text;
}

}  // namespace

Result<std::string> CertificateCommonName(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return Status(Code::kInternal, "BIO_new_mem_buf: " + DrainErrors());
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) {
    return Status(Code::kInvalidArgument,
                  "not a PEM certificate: " + DrainErrors());
  }
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0 ||
      X509_NAME_get_index_by_NID(subject, NID_commonName, index) >= 0) {
    return Status(Code::kInvalidArgument,
                  "certificate subject must have exactly one CN");
  }
  const ASN1_STRING* data =
      X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) {
    return Status(Code::kInvalidArgument, "certificate CN: " + DrainErrors());
  }
  std::string cn(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return cn;
}

}  // namespace docbus::registry
