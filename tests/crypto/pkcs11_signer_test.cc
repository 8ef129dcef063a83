// Signing with a key that lives on a PKCS#11 token (SoftHSM2, the key made on
// the token): the agency's request is signed there, the CA issues from it,
// and documents signed through the token verify like any other agency's. A
// wrong PIN, a loose PIN file or a URI naming nothing is a clear error that
// never shows the PIN.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "bus/crypto/pkcs11_uri.h"
#include "bus/crypto/signing_key.h"
#include "certs/agency_request.h"
#include "certs/curve_keys.h"
#include "certs/request_issuance.h"
#include "tests/crypto/pki_fixture.h"
#include "tests/crypto/softhsm_token.h"

namespace docbus::test {
namespace {

// The token's key → request → certificate for kAgencyC in `pki`.
void OnboardFromToken(const PkiFixture& pki, const SoftHsmToken& token,
                      const std::string& module) {
  auto key = crypto::SigningKey::Open(token.Uri(), module);
  INFO(key.status().ToString());
  REQUIRE(key.ok());
  CHECK((*key)->on_token());
  auto curve = pki::GenerateCurveKeys();
  REQUIRE(curve.ok());
  auto request =
      pki::MakeAgencyRequest((*key)->pkey(), kAgencyC, curve->public_z85);
  INFO(request.status().ToString());
  REQUIRE(request.ok());
  pki::RequestIssuance issuance;
  issuance.request_pem = *request;
  issuance.name = "Bộ Nội vụ";
  auto issued = pki::IssueAgencyFromRequest(pki.paths.dir(), issuance);
  INFO(issued.status().ToString());
  REQUIRE(issued.ok());
}

TEST_CASE(
    "a key made on a SoftHSM2 token signs the agency's request and its "
    "documents, which verify against the issued certificate",
    "[pkcs11]") {
  const std::string module =
      GENERATE(std::string(kSoftHsmModule), std::string(""));  // "": p11-kit
  INFO("module " << (module.empty() ? "p11-kit proxy" : module));
  SoftHsmToken token;
  PkiFixture pki;
  OnboardFromToken(pki, token, module);

  auto signer = OpenSignerFor(pki, token.Uri(), kAgencyC, module);
  VerifyingSide side(pki);

  // Several threads at once, as the agent's workers sign.
  const std::string header = SampleHeaderBytes(kAgencyC, kAgencyA);
  std::vector<std::string> signatures(8);
  std::vector<std::thread> threads;
  for (std::string& signature : signatures) {
    threads.emplace_back([&signature, &signer, &header] {
      auto made = signer->Sign(header);
      if (made.ok()) signature = *made;
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& signature : signatures) {
    REQUIRE_FALSE(signature.empty());
    CHECK(side.verifier.Verify(header, signature, kAgencyC).ok());
  }
  // The token's signature covers exactly these bytes, by this agency.
  CHECK(CodeOf(side.verifier.Verify(header + " ", signatures[0], kAgencyC)) ==
        "bad_signature");
  CHECK(CodeOf(side.verifier.Verify(header, signatures[0], kAgencyA)) ==
        "signer_mismatch");
}

TEST_CASE("a wrong PIN is a clear error that does not show the PIN",
          "[pkcs11]") {
  SoftHsmToken token;
  auto key =
      crypto::SigningKey::Open(token.UriWithPin("000999"), kSoftHsmModule);
  REQUIRE_FALSE(key.ok());
  CHECK(CodeOf(key.status()) == "invalid_argument");
  const std::string message = key.status().message();
  CHECK(message.find("PIN incorrect") != std::string::npos);
  CHECK(message.find("000999") == std::string::npos);
  CHECK(message.find("pkcs11:token=" + token.label()) != std::string::npos);

  PkiFixture pki;
  auto signer = crypto::Signer::Open(token.UriWithPin("000999"),
                                     pki.paths.agency_certificate(kAgencyA),
                                     kSoftHsmModule);
  REQUIRE_FALSE(signer.ok());
  CHECK(signer.status().message().find("000999") == std::string::npos);
  // The right PIN, inline, opens it.
  CHECK(crypto::SigningKey::Open(token.UriWithPin(SoftHsmToken::kPin),
                                 kSoftHsmModule)
            .ok());
}

TEST_CASE("a PIN file others can read, or a URI naming nothing, is refused",
          "[pkcs11]") {
  SoftHsmToken token;
  REQUIRE(::chmod(token.pin_file().c_str(), 0644) == 0);
  auto loose = crypto::SigningKey::Open(token.Uri(), kSoftHsmModule);
  REQUIRE_FALSE(loose.ok());
  CHECK(loose.status().message().find("chmod 600") != std::string::npos);
  REQUIRE(::chmod(token.pin_file().c_str(), 0600) == 0);

  const std::string pin = std::string("?pin-value=") + SoftHsmToken::kPin;
  auto no_token = crypto::SigningKey::Open(
      "pkcs11:token=elsewhere;object=agency-signing" + pin, kSoftHsmModule);
  CHECK(no_token.status().message().find("no such token") != std::string::npos);
  auto no_key = crypto::SigningKey::Open(
      "pkcs11:token=" + token.label() + ";object=other" + pin, kSoftHsmModule);
  CHECK(no_key.status().message().find("no such private key") !=
        std::string::npos);
  auto no_module = crypto::SigningKey::Open(token.Uri(), "/nonexistent/p11.so");
  CHECK(no_module.status().message().find("does not load") !=
        std::string::npos);
}

TEST_CASE("PKCS#11 URIs are read as RFC 7512 writes them", "[pkcs11]") {
  auto uri = crypto::Pkcs11Uri::Parse(
      "pkcs11:token=Agency%20Token;object=sign;id=%01%a2;type=private"
      "?pin-source=file:/etc/docbus/pin");
  REQUIRE(uri.ok());
  CHECK(uri->token == "Agency Token");
  CHECK(uri->object == "sign");
  CHECK(uri->id == std::string("\x01\xa2", 2));
  CHECK(uri->pin_source == "/etc/docbus/pin");
  CHECK(uri->Redacted() == "pkcs11:token=Agency%20Token;object=sign;id=%01%A2");
  CHECK(crypto::RedactKeyReference("pkcs11:token=t;object=o?pin-value=1234") ==
        "pkcs11:token=t;object=o");
  CHECK(crypto::RedactKeyReference("/etc/docbus/key.pem") ==
        "/etc/docbus/key.pem");

  for (const char* bad :
       {"pkcs11:object=sign", "pkcs11:token=t", "pkcs11:token=t;object=o;x=1",
        "pkcs11:token=t;object=o;type=cert", "pkcs11:token=%4;object=o",
        "pkcs11:token=t;token=u;object=o",
        "pkcs11:token=t;object=o?pin-value=1&pin-source=/p",
        "pkcs11:token=t;object=o?secret=1", "file:/key.pem"}) {
    INFO(bad);
    auto parsed = crypto::Pkcs11Uri::Parse(bad);
    CHECK(CodeOf(parsed.status()) == "invalid_argument");
    CHECK(parsed.status().message().find("pin-value=1") == std::string::npos);
  }
}

}  // namespace
}  // namespace docbus::test
