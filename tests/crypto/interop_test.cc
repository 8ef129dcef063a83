// Anyone can check a docbus signature with stock OpenSSL: `openssl cms
// -verify` accepts our detached signature given the signer's certificate,
// and refuses it after one changed byte.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "tests/crypto/pki_fixture.h"

namespace docbus::test {
namespace {

void WriteFile(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary);
  out << bytes;
  REQUIRE(out.good());
}

int Run(const std::string& command) {
  const int rc = std::system((command + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST_CASE(
    "openssl cms -verify accepts our signature and refuses a changed byte",
    "[interop]") {
  PkiFixture pki;
  const std::string header = SampleHeaderBytes();
  auto signature = pki.SignerFor(kAgencyA)->Sign(header);
  REQUIRE(signature.ok());
  const auto dir = pki.tmp.path();
  WriteFile(dir / "header.bin", header);
  WriteFile(dir / "signature.der", *signature);
  std::string forged = header;
  forged[forged.size() / 2] ^= 0x01;
  WriteFile(dir / "forged.bin", forged);

  auto verify = [&](const std::string& content) {
    return Run("openssl cms -verify -binary -inform DER -in " +
               (dir / "signature.der").string() + " -content " +
               (dir / content).string() + " -certfile " +
               pki.paths.agency_certificate(kAgencyA).string() + " -CAfile " +
               pki.paths.root_certificate().string() + " -out /dev/null");
  };
  CHECK(verify("header.bin") == 0);
  CHECK(verify("forged.bin") != 0);
}

}  // namespace
}  // namespace docbus::test
