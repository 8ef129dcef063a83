#include "tests/support/random_file.h"

#include <openssl/rand.h>

#include <algorithm>
#include <fstream>
#include <string_view>

#include "bus/crypto/sha256.h"

namespace docbus::testing {

std::string WriteRandomFile(const std::filesystem::path& file, uint64_t bytes) {
  crypto::Sha256Stream hash;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  std::string piece(size_t{1} << 20, '\0');
  for (uint64_t done = 0; done < bytes;) {
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(piece.size(), bytes - done));
    RAND_bytes(reinterpret_cast<unsigned char*>(piece.data()),
               static_cast<int>(n));
    out.write(piece.data(), static_cast<std::streamsize>(n));
    hash.Update(std::string_view(piece.data(), n));
    done += n;
  }
  return hash.Finish();
}

}  // namespace docbus::testing
