// Certificates the national root does not vouch for right now are refused:
// another CA's, expired ones, revoked ones; and the CRL can be replaced
// while the bus runs.
#include <catch2/catch.hpp>
#include <chrono>

#include "bus/core/files.h"
#include "bus/registry/registry_file.h"
#include "tests/crypto/pki_fixture.h"

namespace docbus::test {
namespace {

constexpr int64_t kDay = 86400;

int64_t NowSeconds() { return RealClock().NowUnixMillis() / 1000; }

TEST_CASE("a certificate from another CA is refused as untrusted_certificate",
          "[trust]") {
  PkiFixture pki;
  // A second, unrelated authority issues agency C; the operator (wrongly)
  // registers that certificate in the national registry.
  PkiFixture rogue(false);
  REQUIRE(pki::IssueAgency(rogue.paths.dir(), kAgencyC, "Cơ quan giả mạo", "")
              .ok());
  std::filesystem::create_directories(pki.paths.agency_dir(kAgencyC));
  std::filesystem::copy_file(rogue.paths.agency_certificate(kAgencyC),
                             pki.paths.agency_certificate(kAgencyC));
  auto file = registry::RegistryFile::Read(pki.paths.registry());
  REQUIRE(file.ok());
  auto curve =
      ReadFileLimited(rogue.paths.agency_curve_public(kAgencyC), 64);
  REQUIRE(curve.ok());
  registry::RegistryEntry entry;
  entry.id = kAgencyC;
  entry.name = "Cơ quan giả mạo";
  entry.certificate = std::string("agencies/") + kAgencyC + "/cert.pem";
  entry.curve_public_key = curve->substr(0, 40);
  REQUIRE(file->Add(entry).ok());
  REQUIRE(file->Save().ok());

  RealClock clock;
  auto trust = pki.Trust(clock);
  crypto::Verifier verifier(*trust, pki.Registry());
  const std::string header = SampleHeaderBytes(kAgencyC);
  auto signature = rogue.SignerFor(kAgencyC)->Sign(header);
  REQUIRE(signature.ok());
  Status s = verifier.Verify(header, *signature, kAgencyC);
  INFO(s.ToString());
  CHECK(CodeOf(s) == "untrusted_certificate");
  // The answer is cached, and stays the same.
  CHECK(CodeOf(verifier.Verify(header, *signature, kAgencyC)) ==
        "untrusted_certificate");
}

TEST_CASE(
    "an expired or not yet valid certificate is refused as certificate_expired",
    "[trust]") {
  PkiFixture pki;
  const int64_t now = NowSeconds();
  REQUIRE(
      pki::IssueAgency(pki.paths.dir(), kAgencyC, "Bộ Nội vụ", "",
                       pki::Validity::Between(now - 20 * kDay, now - 10 * kDay))
          .ok());
  const std::string future_id = "000.00.00.H50";
  REQUIRE(
      pki::IssueAgency(pki.paths.dir(), future_id, "Bộ Tư pháp", "",
                       pki::Validity::Between(now + 10 * kDay, now + 20 * kDay))
          .ok());
  RealClock clock;
  auto trust = pki.Trust(clock);
  crypto::Verifier verifier(*trust, pki.Registry());
  const std::string header = SampleHeaderBytes(kAgencyC);
  auto expired =
      verifier.Verify(header, *pki.SignerFor(kAgencyC)->Sign(header), kAgencyC);
  INFO(expired.ToString());
  CHECK(CodeOf(expired) == "certificate_expired");
  auto early = verifier.Verify(header, *pki.SignerFor(future_id)->Sign(header),
                               future_id);
  CHECK(CodeOf(early) == "certificate_expired");
}

TEST_CASE("a cached certificate is refused once the clock passes its expiry",
          "[trust]") {
  PkiFixture pki;
  // Certificates start minutes before they are issued: the fake clock
  // starts at the real time.
  FakeClock clock(RealClock().NowUnixMillis());
  auto trust = pki.Trust(clock);
  crypto::Verifier verifier(*trust, pki.Registry());
  const std::string header = SampleHeaderBytes();
  auto signature = pki.SignerFor(kAgencyA)->Sign(header);
  REQUIRE(signature.ok());
  CHECK(verifier.Verify(header, *signature, kAgencyA).ok());
  auto cert =
      crypto::Certificate::FromFile(pki.paths.agency_certificate(kAgencyA));
  REQUIRE(cert.ok());
  clock.Set(((*cert)->not_after_unix_s() + 1) * 1000);
  CHECK(CodeOf(verifier.Verify(header, *signature, kAgencyA)) ==
        "certificate_expired");
}

TEST_CASE(
    "a certificate revoked in the CRL is refused as certificate_revoked once "
    "the CRL is reloaded",
    "[trust]") {
  PkiFixture pki;
  RealClock clock;
  auto trust = pki.Trust(clock);
  // The verifier keeps the registry it was built with: only the CRL says
  // the certificate is revoked.
  auto registry_before = pki.Registry();
  crypto::Verifier verifier(*trust, registry_before);
  const std::string header = SampleHeaderBytes();
  auto signature = pki.SignerFor(kAgencyA)->Sign(header);
  REQUIRE(signature.ok());
  REQUIRE(verifier.Verify(header, *signature, kAgencyA).ok());

  REQUIRE(pki::Revoke(pki.paths.dir(), kAgencyA).ok());
  CHECK(verifier.Verify(header, *signature, kAgencyA).ok());  // old CRL, cached
  REQUIRE(trust->ReloadCrl(pki.paths.crl()).ok());
  CHECK(trust->cached_certificates() == 0);
  Status s = verifier.Verify(header, *signature, kAgencyA);
  INFO(s.ToString());
  CHECK(CodeOf(s) == "certificate_revoked");
  // Other agencies are unaffected.
  const std::string from_b = SampleHeaderBytes(kAgencyB, kAgencyA);
  CHECK(
      verifier.Verify(from_b, *pki.SignerFor(kAgencyB)->Sign(from_b), kAgencyB)
          .ok());
  // A fresh trust store built from the new CRL agrees.
  auto fresh = pki.Trust(clock);
  crypto::Verifier old_registry(*fresh, registry_before);
  CHECK(CodeOf(old_registry.Verify(header, *signature, kAgencyA)) ==
        "certificate_revoked");
  // And the registry written by Revoke marks the agency itself revoked.
  crypto::Verifier fresh_verifier(*fresh, pki.Registry());
  CHECK(CodeOf(fresh_verifier.Verify(header, *signature, kAgencyA)) ==
        "agency_revoked");
}

TEST_CASE("an older CRL put back cannot lift a revocation", "[trust]") {
  PkiFixture pki;
  RealClock clock;
  const std::filesystem::path old_crl = pki.paths.dir() / "crl-before.pem";
  std::filesystem::copy_file(pki.paths.crl(), old_crl);
  // Only the CRL is to say A is revoked: the registry from before.
  auto registry_before = pki.Registry();
  REQUIRE(pki::Revoke(pki.paths.dir(), kAgencyA).ok());
  auto trust = pki.Trust(clock);  // the newer CRL, listing A
  Status s = trust->ReloadCrl(old_crl);
  INFO(s.ToString());
  CHECK(CodeOf(s) == "invalid_argument");
  CHECK(s.message().find("older than number") != std::string::npos);
  crypto::Verifier verifier(*trust, registry_before);
  const std::string header = SampleHeaderBytes();
  CHECK(CodeOf(verifier.Verify(header, *pki.SignerFor(kAgencyA)->Sign(header),
                               kAgencyA)) == "certificate_revoked");
  CHECK(trust->ReloadCrl(pki.paths.crl()).ok());  // the same one again
}

TEST_CASE(
    "a CRL signed by another CA is refused and the current CRL stays in force",
    "[trust]") {
  PkiFixture pki;
  PkiFixture other(false);
  RealClock clock;
  auto trust = pki.Trust(clock);
  Status s = trust->ReloadCrl(other.paths.crl());
  CHECK(CodeOf(s) == "untrusted_certificate");
  CHECK(CodeOf(crypto::TrustStore::Load(pki.paths.root_certificate(),
                                        other.paths.crl(), clock)
                   .status()) == "untrusted_certificate");
  crypto::Verifier verifier(*trust, pki.Registry());
  const std::string header = SampleHeaderBytes();
  CHECK(
      verifier.Verify(header, *pki.SignerFor(kAgencyA)->Sign(header), kAgencyA)
          .ok());
  CHECK(trust->crl_next_update_unix_s() > NowSeconds());
  // An agency certificate is not a root.
  CHECK(CodeOf(crypto::TrustStore::Load(pki.paths.agency_certificate(kAgencyA),
                                        pki.paths.crl(), clock)
                   .status()) == "invalid_argument");
}

}  // namespace
}  // namespace docbus::test
