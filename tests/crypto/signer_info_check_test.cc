// What the Verifier decides itself since it checks the SignerInfo directly
// instead of through CMS_verify: each forgery below is refused with the
// reason code a sender or the broker would see, and the forger is shown to
// make signatures that do verify when nothing is forged.
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <string>

#include "bus/core/clock.h"
#include "bus/core/files.h"
#include "bus/crypto/openssl_util.h"
#include "bus/crypto/sha256.h"
#include "bus/crypto/signed_data_encoder.h"
#include "tests/crypto/pki_fixture.h"

namespace docbus::test {
namespace {

using crypto::Sha256;

crypto::EvpPkeyPtr AgencyKey(const PkiFixture& pki, const std::string& id) {
  auto pem = ReadFileLimited(pki.paths.agency_key(id), 65536);
  REQUIRE(pem.ok());
  auto key = crypto::ParsePrivateKeyPem(*pem);
  REQUIRE(key.ok());
  return std::move(key).value();
}

// A detached signature laid out exactly as Signer makes it, naming `named`
// as the signer, with `message_digest` as its messageDigest, and signed
// with `key`.
std::string Forge(const crypto::Certificate& named, EVP_PKEY* key,
                  const std::string& message_digest) {
  auto encoder = crypto::SignedDataEncoder::ForCertificate(named.x509());
  REQUIRE(encoder.ok());
  const std::string attributes = encoder->SignedAttributes(
      message_digest, RealClock().NowUnixMillis() / 1000);
  std::unique_ptr<EVP_MD_CTX, crypto::OpenSslDeleter<EVP_MD_CTX_free>> ctx(
      EVP_MD_CTX_new());
  unsigned char signature[128];
  size_t signature_len = sizeof(signature);
  REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) ==
          1);
  REQUIRE(
      EVP_DigestSign(ctx.get(), signature, &signature_len,
                     reinterpret_cast<const unsigned char*>(attributes.data()),
                     attributes.size()) == 1);
  return encoder->ContentInfo(
      attributes,
      std::string_view(reinterpret_cast<char*>(signature), signature_len));
}

std::string Der(CMS_ContentInfo* cms) {
  unsigned char* der = nullptr;
  const int len = i2d_CMS_ContentInfo(cms, &der);
  REQUIRE(len > 0);
  std::string out(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  return out;
}

TEST_CASE(
    "a validly signed messageDigest of other content is refused as "
    "bad_signature",
    "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes();
  const auto key = AgencyKey(pki, kAgencyA);
  const auto signer = pki.SignerFor(kAgencyA);
  const auto& cert = signer->certificate();
  // The forger makes good signatures when nothing is forged.
  REQUIRE(side.verifier
              .Verify(header, Forge(cert, key.get(), Sha256(header)), kAgencyA)
              .ok());
  // A's own signature, over attributes that name another document's digest
  // (an old signature replayed on a new header).
  const std::string other = SampleHeaderBytes(kAgencyA, kAgencyC);
  Status s = side.verifier.Verify(header, Forge(cert, key.get(), Sha256(other)),
                                  kAgencyA);
  CHECK(CodeOf(s) == "bad_signature");
  CHECK(s.message().find("messageDigest") != std::string::npos);
  // Or one that names no digest at all of the right length.
  CHECK(CodeOf(side.verifier.Verify(
            header, Forge(cert, key.get(), Sha256(header).substr(0, 31)),
            kAgencyA)) == "bad_signature");
}

TEST_CASE(
    "a signature whose messageDigest was rewritten for altered content is "
    "refused as bad_signature",
    "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes();
  auto signature = pki.SignerFor(kAgencyA)->Sign(header);
  REQUIRE(signature.ok());
  std::string forged_header = header;
  forged_header[forged_header.size() / 2] ^= 0x01;
  CHECK(CodeOf(side.verifier.Verify(forged_header, *signature, kAgencyA)) ==
        "bad_signature");
  // The attacker also swaps the digest inside the signed attributes.
  std::string forged_signature = *signature;
  const size_t at = forged_signature.find(Sha256(header));
  REQUIRE(at != std::string::npos);
  forged_signature.replace(at, 32, Sha256(forged_header));
  Status s = side.verifier.Verify(forged_header, forged_signature, kAgencyA);
  CHECK(CodeOf(s) == "bad_signature");
  CHECK(s.message().find("does not verify") != std::string::npos);
}

TEST_CASE(
    "a flipped byte of the signed signingTime is refused as bad_signature",
    "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes();
  auto signature = pki.SignerFor(kAgencyA)->Sign(header);
  REQUIRE(signature.ok());
  REQUIRE(side.verifier.Verify(header, *signature, kAgencyA).ok());
  // The signingTime attribute's UTCTime YYMMDDHHMMSSZ: its last seconds
  // digit, so that it is still a valid time.
  const size_t attribute = signature->find(
      std::string("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x09\x05", 11));
  REQUIRE(attribute != std::string::npos);
  const size_t at = signature->find(std::string("\x17\x0d", 2), attribute);
  REQUIRE(at != std::string::npos);
  std::string forged = *signature;
  forged[at + 2 + 11] ^= 0x01;
  const auto original_time = crypto::SigningTime(*signature);
  const auto forged_time = crypto::SigningTime(forged);
  REQUIRE(forged_time.ok());  // still parses: only the signature catches it
  REQUIRE(*forged_time != *original_time);
  CHECK(CodeOf(side.verifier.Verify(header, forged, kAgencyA)) ==
        "bad_signature");
}

TEST_CASE(
    "a signature by B's key that names A's certificate is refused as "
    "bad_signature",
    "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes();
  const auto signer_a = pki.SignerFor(kAgencyA);
  const auto& cert_a = signer_a->certificate();
  const auto key_b = AgencyKey(pki, kAgencyB);
  Status s = side.verifier.Verify(
      header, Forge(cert_a, key_b.get(), Sha256(header)), kAgencyA);
  CHECK(CodeOf(s) == "bad_signature");
  // Named for what it is, B's signature is B's.
  const auto signer_b = pki.SignerFor(kAgencyB);
  const auto& cert_b = signer_b->certificate();
  const std::string honest = Forge(cert_b, key_b.get(), Sha256(header));
  CHECK(side.verifier.Verify(header, honest, kAgencyB).ok());
  CHECK(CodeOf(side.verifier.Verify(header, honest, kAgencyA)) ==
        "signer_mismatch");
}

TEST_CASE("a signature with two signers is refused as bad_signature",
          "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes();
  const auto key_a = AgencyKey(pki, kAgencyA);
  const auto key_b = AgencyKey(pki, kAgencyB);
  const int flags = CMS_NOCERTS | CMS_BINARY | CMS_DETACHED | CMS_PARTIAL;
  crypto::CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
  REQUIRE(cms);
  REQUIRE(CMS_add1_signer(cms.get(),
                          pki.SignerFor(kAgencyA)->certificate().x509(),
                          key_a.get(), EVP_sha256(), flags) != nullptr);
  REQUIRE(CMS_add1_signer(cms.get(),
                          pki.SignerFor(kAgencyB)->certificate().x509(),
                          key_b.get(), EVP_sha256(), flags) != nullptr);
  crypto::BioPtr data = crypto::MemoryBio(header);
  REQUIRE(CMS_final(cms.get(), data.get(), nullptr, flags) == 1);
  Status s = side.verifier.Verify(header, Der(cms.get()), kAgencyA);
  CHECK(CodeOf(s) == "bad_signature");
  CHECK(s.message().find("one signer") != std::string::npos);
}

TEST_CASE(
    "a signature without signed attributes, or over another content type, "
    "is refused as bad_signature",
    "[verifier]") {
  PkiFixture pki;
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes();
  const auto key = AgencyKey(pki, kAgencyA);
  const auto signer = pki.SignerFor(kAgencyA);
  X509* cert = signer->certificate().x509();
  const int flags = CMS_NOCERTS | CMS_BINARY | CMS_DETACHED;

  crypto::BioPtr data = crypto::MemoryBio(header);
  crypto::CmsPtr bare(
      CMS_sign(cert, key.get(), nullptr, data.get(), flags | CMS_NOATTR));
  REQUIRE(bare);
  Status s = side.verifier.Verify(header, Der(bare.get()), kAgencyA);
  CHECK(CodeOf(s) == "bad_signature");
  CHECK(s.message().find("no signed attributes") != std::string::npos);

  crypto::CmsPtr typed(
      CMS_sign(nullptr, nullptr, nullptr, nullptr, flags | CMS_PARTIAL));
  REQUIRE(typed);
  REQUIRE(CMS_set1_eContentType(typed.get(),
                                OBJ_nid2obj(NID_id_smime_ct_TSTInfo)) == 1);
  REQUIRE(CMS_add1_signer(typed.get(), cert, key.get(), EVP_sha256(),
                          flags | CMS_PARTIAL) != nullptr);
  data = crypto::MemoryBio(header);
  REQUIRE(CMS_final(typed.get(), data.get(), nullptr, flags) == 1);
  CHECK(CodeOf(side.verifier.Verify(header, Der(typed.get()), kAgencyA)) ==
        "bad_signature");
}

TEST_CASE("the signed registry's signature check refuses the same forgeries",
          "[verifier]") {
  PkiFixture pki;
  const std::string content = SampleHeaderBytes();
  auto signer = pki.SignerFor(kAgencyA);
  const auto& cert = signer->certificate();
  auto signature = signer->Sign(content);
  REQUIRE(signature.ok());
  CHECK(crypto::VerifyDetachedSignature(content, *signature, cert).ok());
  std::string altered = content;
  altered[0] ^= 0x01;
  CHECK(CodeOf(crypto::VerifyDetachedSignature(altered, *signature, cert)) ==
        "bad_signature");
  const auto key = AgencyKey(pki, kAgencyA);
  CHECK(CodeOf(crypto::VerifyDetachedSignature(
            content, Forge(cert, key.get(), Sha256(altered)), cert)) ==
        "bad_signature");
  CHECK(CodeOf(crypto::VerifyDetachedSignature(
            content, *signature, pki.SignerFor(kAgencyB)->certificate())) ==
        "bad_signature");
}

}  // namespace
}  // namespace docbus::test
