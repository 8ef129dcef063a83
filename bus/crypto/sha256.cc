#include "bus/crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace docbus::crypto {
namespace {

// Fetched once: EVP_sha256() would make OpenSSL 3 look the algorithm up in
// its provider table on every call.
const EVP_MD* Sha256Method() {
  static EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) {
      std::fprintf(stderr, "docbus: OpenSSL has no SHA256\n");
      std::abort();
    }
    return fetched;
  }();
  return md;
}

}  // namespace

std::string Sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(),
                 reinterpret_cast<unsigned char*>(out.data()), &len,
                 Sha256Method(), nullptr) != 1 ||
      len != 32) {
    std::fprintf(stderr, "docbus: EVP_Digest(SHA256) failed\n");
    std::abort();
  }
  return out;
}

}  // namespace docbus::crypto
