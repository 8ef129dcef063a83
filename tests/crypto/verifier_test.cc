// What an agency or the broker sees when a signed document arrives: a good
// signature is accepted, and each way of forging one is refused with its own
// reason code.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <thread>
#include <vector>

#include "bus/crypto/openssl_util.h"
#include "bus/core/files.h"
#include "bus/registry/registry_file.h"
#include "certs/certificate_factory.h"
#include "tests/crypto/pki_fixture.h"

namespace docbus::test {
namespace {

TEST_CASE(
    "a document signed by its agency verifies without an embedded certificate",
    "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes();
  auto signature = pki.SignerFor(kAgencyA)->Sign(header);
  REQUIRE(signature.ok());
  // No certificate inside (CMS_NOCERTS): the verifier takes it from the
  // registry.
  const auto* der = reinterpret_cast<const unsigned char*>(signature->data());
  crypto::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &der, signature->size()));
  REQUIRE(cms);
  STACK_OF(X509)* embedded = CMS_get1_certs(cms.get());
  CHECK(sk_X509_num(embedded) <= 0);
  sk_X509_pop_free(embedded, X509_free);
  CHECK(CMS_is_detached(cms.get()) == 1);
  // Canonical DER: OpenSSL re-encodes it to the very same bytes.
  unsigned char* reencoded = nullptr;
  const int reencoded_len = i2d_CMS_ContentInfo(cms.get(), &reencoded);
  CHECK(std::string(reinterpret_cast<char*>(reencoded), reencoded_len) ==
        *signature);
  OPENSSL_free(reencoded);
  auto signed_at = crypto::SigningTime(*signature);
  REQUIRE(signed_at.ok());
  CHECK(std::abs(*signed_at - RealClock().NowUnixMillis() / 1000) < 60);
  Status s = side.verifier.Verify(header, *signature, kAgencyA);
  INFO(s.ToString());
  CHECK(s.ok());
  // Verifying again uses the cached chain + CRL result.
  CHECK(side.verifier.Verify(header, *signature, kAgencyA).ok());
  CHECK(side.trust->cached_certificates() == 1);
  CHECK(pki.SignerFor(kAgencyA)->agency_id() == kAgencyA);
}

TEST_CASE("one changed byte of the signed header is refused as bad_signature",
          "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes();
  auto signature = pki.SignerFor(kAgencyA)->Sign(header);
  REQUIRE(signature.ok());
  for (size_t at : {size_t{0}, header.size() / 2, header.size() - 1}) {
    std::string forged = header;
    forged[at] ^= 0x01;
    Status s = side.verifier.Verify(forged, *signature, kAgencyA);
    CHECK(CodeOf(s) == "bad_signature");
  }
  CHECK(CodeOf(side.verifier.Verify(header + "x", *signature, kAgencyA)) ==
        "bad_signature");
  // A flipped byte inside the signature value itself.
  std::string bad_sig = *signature;
  bad_sig[bad_sig.size() - 5] ^= 0x01;
  CHECK(CodeOf(side.verifier.Verify(header, bad_sig, kAgencyA)) ==
        "bad_signature");
}

TEST_CASE(
    "a document signed by agency B but claimed by A is refused as "
    "signer_mismatch",
    "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes();
  auto by_b = pki.SignerFor(kAgencyB)->Sign(header);
  REQUIRE(by_b.ok());
  Status s = side.verifier.Verify(header, *by_b, kAgencyA);
  CHECK(CodeOf(s) == "signer_mismatch");
  CHECK(s.message().find(kAgencyB) != std::string::npos);
  CHECK(side.verifier.Verify(header, *by_b, kAgencyB).ok());
}

TEST_CASE(
    "a signature by a certificate nobody registered is refused as "
    "bad_signature",
    "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);  // registry snapshot without C
  REQUIRE(pki::IssueAgency(pki.paths.dir(), kAgencyC, "Bộ Nội vụ", "").ok());
  const std::string header = SampleHeaderBytes();
  auto by_c = pki.SignerFor(kAgencyC)->Sign(header);
  REQUIRE(by_c.ok());
  CHECK(CodeOf(side.verifier.Verify(header, *by_c, kAgencyA)) ==
        "bad_signature");
}

TEST_CASE(
    "a document claimed by an agency not in the registry is refused as "
    "unknown_agency",
    "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes(kAgencyC);
  auto signature = pki.SignerFor(kAgencyA)->Sign(header);
  REQUIRE(signature.ok());
  CHECK(CodeOf(side.verifier.Verify(header, *signature, kAgencyC)) ==
        "unknown_agency");
  CHECK(CodeOf(side.verifier.Verify(header, *signature, "not an id")) ==
        "unknown_agency");
}

// The frame and header were fine; what is in the signature field is not a
// signature: a client expects bad_signature, as for one that fails to verify.
TEST_CASE("garbage in place of a signature is refused as bad_signature",
          "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes();
  auto signature = pki.SignerFor(kAgencyA)->Sign(header);
  REQUIRE(signature.ok());
  std::vector<std::string> garbage = {
      "",
      "not a signature at all",
      std::string(300, '\0'),
      signature->substr(0, signature->size() / 2),  // truncated DER
      *signature + "trailing",
      std::string(100 * 1024, '\x30'),  // oversized
  };
  for (const std::string& g : garbage) {
    Status s = side.verifier.Verify(header, g, kAgencyA);
    INFO("garbage of " << g.size() << " bytes: " << s.ToString());
    CHECK(CodeOf(s) == "bad_signature");
  }
  // A CMS that carries its content instead of being detached.
  crypto::BioPtr data = crypto::MemoryBio(header);
  auto signer = pki.SignerFor(kAgencyA);
  auto key_pem =
      ReadFileLimited(pki.paths.agency_key(kAgencyA), 65536);
  REQUIRE(key_pem.ok());
  auto key = crypto::ParsePrivateKeyPem(*key_pem);
  REQUIRE(key.ok());
  crypto::CmsPtr attached(CMS_sign(signer->certificate().x509(), key->get(),
                                   nullptr, data.get(),
                                   CMS_NOCERTS | CMS_BINARY));
  REQUIRE(attached);
  unsigned char* der = nullptr;
  const int len = i2d_CMS_ContentInfo(attached.get(), &der);
  REQUIRE(len > 0);
  std::string attached_der(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  CHECK(CodeOf(side.verifier.Verify(header, attached_der, kAgencyA)) ==
        "bad_signature");
}

TEST_CASE("a signature over a SHA-1 digest is refused as bad_signature",
          "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes();
  auto key_pem =
      ReadFileLimited(pki.paths.agency_key(kAgencyA), 65536);
  REQUIRE(key_pem.ok());
  auto key = crypto::ParsePrivateKeyPem(*key_pem);
  REQUIRE(key.ok());
  auto signer = pki.SignerFor(kAgencyA);
  crypto::BioPtr data = crypto::MemoryBio(header);
  const int flags = CMS_NOCERTS | CMS_BINARY | CMS_DETACHED | CMS_PARTIAL;
  crypto::CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
  REQUIRE(cms);
  REQUIRE(CMS_add1_signer(cms.get(), signer->certificate().x509(), key->get(),
                          EVP_sha1(), flags) != nullptr);
  REQUIRE(CMS_final(cms.get(), data.get(), nullptr, flags) == 1);
  unsigned char* der = nullptr;
  const int len = i2d_CMS_ContentInfo(cms.get(), &der);
  REQUIRE(len > 0);
  const std::string sha1_signature(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  Status s = side.verifier.Verify(header, sha1_signature, kAgencyA);
  INFO(s.ToString());
  CHECK(CodeOf(s) == "bad_signature");
  CHECK(s.message().find("SHA-256") != std::string::npos);
}

TEST_CASE(
    "a document from an agency the registry marks revoked is refused as "
    "agency_revoked",
    "[verifier]") {
  PkiFixture pki;
  const std::string header = SampleHeaderBytes();
  auto signature = pki.SignerFor(kAgencyA)->Sign(header);
  REQUIRE(signature.ok());
  REQUIRE(pki::Revoke(pki.paths.dir(), kAgencyA).ok());
  VerifyingSide side(pki);  // registry loaded after the revocation
  CHECK(CodeOf(side.verifier.Verify(header, *signature, kAgencyA)) ==
        "agency_revoked");
  CHECK(side.verifier
            .Verify(SampleHeaderBytes(kAgencyB, kAgencyA),
                    *pki.SignerFor(kAgencyB)->Sign(
                        SampleHeaderBytes(kAgencyB, kAgencyA)),
                    kAgencyB)
            .ok());
}

TEST_CASE("a signer refuses a key that does not belong to its certificate",
          "[signer]") {
  PkiFixture pki;
  auto mixed = crypto::Signer::Load(pki.paths.agency_key(kAgencyA),
                                    pki.paths.agency_certificate(kAgencyB));
  CHECK(CodeOf(mixed.status()) == "invalid_argument");
  auto missing = crypto::Signer::Load(pki.paths.dir() / "nope.pem",
                                      pki.paths.agency_certificate(kAgencyA));
  CHECK(CodeOf(missing.status()) == "not_found");
}

TEST_CASE(
    "documents from two agencies verify correctly from several threads at once",
    "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header_a = SampleHeaderBytes(kAgencyA, kAgencyB);
  const std::string header_b = SampleHeaderBytes(kAgencyB, kAgencyA);
  auto signer_a = pki.SignerFor(kAgencyA);
  auto signer_b = pki.SignerFor(kAgencyB);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const bool a = (i + t) % 2 == 0;
        const std::string& header = a ? header_a : header_b;
        auto sig = (a ? signer_a : signer_b)->Sign(header);
        if (!sig.ok()) {
          ++wrong;
          continue;
        }
        if (!side.verifier.Verify(header, *sig, a ? kAgencyA : kAgencyB).ok())
          ++wrong;
        if (side.verifier.Verify(header, *sig, a ? kAgencyB : kAgencyA)
                .code() != Code::kSignerMismatch) {
          ++wrong;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wrong == 0);
}

TEST_CASE("an agency with an RSA certificate signs and verifies through CMS",
          "[signer]") {
  PkiFixture pki;
  // The national CA issues agency C an RSA certificate (not the default).
  auto root_key_pem = ReadFileLimited(pki.paths.root_key(), 65536);
  auto root_pem =
      ReadFileLimited(pki.paths.root_certificate(), 65536);
  REQUIRE(root_key_pem.ok());
  REQUIRE(root_pem.ok());
  auto root_key = crypto::ParsePrivateKeyPem(*root_key_pem);
  auto root = crypto::ParseCertificatePem(*root_pem);
  REQUIRE(root_key.ok());
  REQUIRE(root.ok());
  crypto::EvpPkeyPtr rsa(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  REQUIRE(rsa);
  pki::CertificateSpec spec;
  spec.subject.organization = "Bộ Nội vụ";
  spec.subject.common_name = kAgencyC;
  spec.public_key = rsa.get();
  spec.not_before_unix_s = RealClock().NowUnixMillis() / 1000 - 3600;
  spec.not_after_unix_s = spec.not_before_unix_s + 86400;
  auto cert = pki::IssueCertificate(spec, root->get(), root_key->get());
  REQUIRE(cert.ok());
  std::filesystem::create_directories(pki.paths.agency_dir(kAgencyC));
  REQUIRE(WriteFileAtomically(pki.paths.agency_certificate(kAgencyC),
                                        *crypto::CertificateToPem(cert->get()))
              .ok());
  auto file = registry::RegistryFile::Read(pki.paths.registry());
  REQUIRE(file.ok());
  registry::RegistryEntry entry;
  entry.id = kAgencyC;
  entry.name = "Bộ Nội vụ";
  entry.certificate = std::string("agencies/") + kAgencyC + "/cert.pem";
  entry.curve_public_key = std::string(40, 'c');
  REQUIRE(file->Add(entry).ok());
  REQUIRE(file->Save().ok());

  auto signer = crypto::Signer::FromPem(*crypto::PrivateKeyToPem(rsa.get()),
                                        *crypto::CertificateToPem(cert->get()));
  REQUIRE(signer.ok());
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes(kAgencyC);
  auto signature = (*signer)->Sign(header);
  REQUIRE(signature.ok());
  Status s = side.verifier.Verify(header, *signature, kAgencyC);
  INFO(s.ToString());
  CHECK(s.ok());
  std::string forged = header;
  forged[3] ^= 0x01;
  CHECK(CodeOf(side.verifier.Verify(forged, *signature, kAgencyC)) ==
        "bad_signature");
}

}  // namespace
}  // namespace docbus::test
