#include "bus/core/secret_compare.h"

#include <openssl/crypto.h>

namespace docbus {

bool SameSecret(std::string_view given, std::string_view expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

}  // namespace docbus
