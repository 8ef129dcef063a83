#include "bus/crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace docbus::crypto {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "docbus: %s(SHA256) failed\n", what);
  std::abort();
}

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
    Fail("EVP_Digest");
  }
  return out;
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, Sha256Method(), nullptr) != 1)
    Fail("EVP_DigestInit_ex");
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(ctx_); }

void Sha256Stream::Update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1)
    Fail("EVP_DigestUpdate");
}

std::string Sha256Stream::Finish() {
  std::string out(32, '\0');
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, reinterpret_cast<unsigned char*>(out.data()),
                         &len) != 1 ||
      len != 32) {
    Fail("EVP_DigestFinal_ex");
  }
  return out;
}

}  // namespace docbus::crypto
