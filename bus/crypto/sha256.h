// SHA-256 of a byte string: digests of document headers, attachments and
// receipts. Thread-safe; never fails (an OpenSSL failure here is a broken
// platform invariant and aborts).
#pragma once

#include <openssl/types.h>

#include <string>
#include <string_view>

namespace docbus::crypto {

// The 32 raw digest bytes.
std::string Sha256(std::string_view data);

// SHA-256 of bytes that arrive in pieces (a large attachment read a chunk at
// a time). Thread-safety: one object per thread.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(std::string_view data);
  // The 32 raw digest bytes of everything given; the stream is then spent.
  std::string Finish();

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace docbus::crypto
