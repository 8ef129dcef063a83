// Small RAII and error helpers around OpenSSL for bus/crypto, bus/audit and
// certs/.
// Every OpenSSL failure becomes a Status carrying the thread's OpenSSL error
// queue text (which is drained, so one failure never leaks into the next
// call). Stateless; safe from any thread (the error queue is thread-local).
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus::crypto {

template <auto Free>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OpenSslDeleter<X509_CRL_free>>;
using X509StorePtr =
    std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE_free>>;
using X509StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using CmsPtr =
    std::unique_ptr<CMS_ContentInfo, OpenSslDeleter<CMS_ContentInfo_free>>;

// The thread's OpenSSL error queue as text ("; "-separated), then cleared.
std::string TakeOpenSslErrors();

// Status(code, "<what>: <OpenSSL error queue text>").
Status OpenSslError(Code code, std::string_view what);

// A read-only memory BIO over `data` (which must outlive it).
BioPtr MemoryBio(std::string_view data);

// Everything written to a memory BIO.
std::string MemoryBioContents(BIO* bio);

// Parsing and encoding of PEM objects; failures → kInvalidArgument with
// OpenSSL's text (kInternal for allocation failures).
Result<X509Ptr> ParseCertificatePem(std::string_view pem);
Result<X509CrlPtr> ParseCrlPem(std::string_view pem);
Result<EvpPkeyPtr> ParsePrivateKeyPem(std::string_view pem);
Result<std::string> CertificateToPem(X509* cert);
Result<std::string> CrlToPem(X509_CRL* crl);
Result<std::string> PrivateKeyToPem(EVP_PKEY* key);  // PKCS#8, unencrypted

// ASN1_TIME → seconds since the Unix epoch; kInvalidArgument if unreadable.
Result<int64_t> AsnTimeToUnix(const ASN1_TIME* time);

}  // namespace docbus::crypto
