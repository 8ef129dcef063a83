// Anyone can check a docbus signature with stock OpenSSL: `openssl cms
// -verify` accepts our detached signature given the signer's certificate,
// and refuses it after one changed byte. And the other way: an agency that
// signs with stock `openssl cms -sign` is understood by the bus.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "bus/core/files.h"

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

TEST_CASE(
    "a signature made by openssl cms -sign with the agency's key verifies, "
    "and a changed byte is refused",
    "[interop]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes();
  const auto dir = pki.tmp.path();
  WriteFile(dir / "header.bin", header);
  auto sign = [&](const std::string& agency, const std::string& extra,
                  const std::string& out) {
    return Run("openssl cms -sign -binary -nocerts -md sha256 " + extra +
               " -in " + (dir / "header.bin").string() + " -signer " +
               pki.paths.agency_certificate(agency).string() + " -inkey " +
               pki.paths.agency_key(agency).string() + " -outform DER -out " +
               (dir / out).string());
  };
  auto read = [&](const std::string& name) {
    auto bytes = ReadFileLimited(dir / name, 65536);
    REQUIRE(bytes.ok());
    return std::move(bytes).value();
  };
  // Signer named by issuer and serial (the default), and by subject key
  // identifier (-keyid).
  REQUIRE(sign(kAgencyA, "", "by_a.der") == 0);
  REQUIRE(sign(kAgencyA, "-keyid", "by_a_keyid.der") == 0);
  REQUIRE(sign(kAgencyB, "-keyid", "by_b_keyid.der") == 0);
  for (const char* name : {"by_a.der", "by_a_keyid.der"}) {
    const std::string signature = read(name);
    Status s = side.verifier.Verify(header, signature, kAgencyA);
    INFO(name << ": " << s.ToString());
    CHECK(s.ok());
    std::string forged = header;
    forged[forged.size() / 2] ^= 0x01;
    CHECK(CodeOf(side.verifier.Verify(forged, signature, kAgencyA)) ==
          "bad_signature");
  }
  CHECK(CodeOf(side.verifier.Verify(header, read("by_b_keyid.der"),
                                    kAgencyA)) == "signer_mismatch");
}

}  // namespace
}  // namespace docbus::test
