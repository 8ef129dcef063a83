// Onboarding by request: the agency makes its key and CURVE pair and sends a
// CSR; the CA issues from it. What an operator and an agency notice: the
// certificate is for the agency's own key, the registry binds the agency's
// CURVE key, the CA folder holds no private key of the agency, and a forged,
// mismatched or conflicting request is refused without changing the folder.
#include "certs/agency_request.h"

#include <openssl/pem.h>

#include <catch2/catch.hpp>
#include <map>

#include "bus/core/files.h"
#include "bus/crypto/signing_key.h"
#include "certs/curve_keys.h"
#include "certs/request_issuance.h"
#include "tests/crypto/pki_fixture.h"

namespace docbus::test {
namespace {

// An agency's own machine: its key file and CURVE pair, made there.
struct AgencyMachine {
  explicit AgencyMachine(std::string agency_id) : id(std::move(agency_id)) {
    REQUIRE(pki::WriteNewAgencyKey(tmp.path() / "key.pem").ok());
    auto public_key = pki::CurveKeygen(tmp.path());
    REQUIRE(public_key.ok());
    curve_public = *public_key;
  }

  std::string Request(const std::string& cn, const std::string& curve) const {
    auto key = crypto::SigningKey::Open((tmp.path() / "key.pem").string());
    REQUIRE(key.ok());
    auto pem = pki::MakeAgencyRequest((*key)->pkey(), cn, curve);
    INFO(pem.status().ToString());
    REQUIRE(pem.ok());
    return *pem;
  }
  std::string Request() const { return Request(id, curve_public); }

  TempDir tmp;
  std::string id;
  std::string curve_public;
};

// Every file of a folder and its bytes.
std::map<std::string, std::string> Snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    auto bytes = ReadFileLimited(entry.path(), 1 << 20);
    REQUIRE(bytes.ok());
    files[entry.path().lexically_relative(dir).string()] = *bytes;
  }
  return files;
}

pki::RequestIssuance IssuanceOf(std::string request_pem) {
  pki::RequestIssuance issuance;
  issuance.request_pem = std::move(request_pem);
  issuance.name = "Bộ Nội vụ";
  return issuance;
}

// The request's DER with one byte of its signed part changed, as PEM.
std::string Tampered(const std::string& pem, std::string_view inside) {
  crypto::BioPtr in = crypto::MemoryBio(pem);
  X509_REQ* req = PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr);
  REQUIRE(req != nullptr);
  unsigned char* der = nullptr;
  const int len = i2d_X509_REQ(req, &der);
  X509_REQ_free(req);
  REQUIRE(len > 0);
  std::string bytes(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  const size_t at = bytes.find(inside);
  REQUIRE(at != std::string::npos);
  // The character after `inside`: another hex digit of the CURVE key, or
  // another digit of the agency id.
  char& changed = bytes[at + inside.size()];
  changed = changed == '1' ? '2' : '1';
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  X509_REQ* forged = d2i_X509_REQ(nullptr, &p, static_cast<long>(bytes.size()));
  REQUIRE(forged != nullptr);
  crypto::BioPtr out(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio_X509_REQ(out.get(), forged) == 1);
  X509_REQ_free(forged);
  return crypto::MemoryBioContents(out.get());
}

TEST_CASE(
    "a request is issued for the agency's own key and CURVE key, and the CA "
    "folder keeps no private key of the agency",
    "[request]") {
  PkiFixture pki(false);
  AgencyMachine agency(kAgencyC);
  auto id = pki::IssueAgencyFromRequest(pki.paths.dir(),
                                        IssuanceOf(agency.Request()));
  INFO(id.status().ToString());
  REQUIRE(id.ok());
  CHECK(*id == kAgencyC);

  // The certificate works with the key that stayed on the agency's machine.
  auto signer =
      OpenSignerFor(pki, (agency.tmp.path() / "key.pem").string(), kAgencyC);
  VerifyingSide side(pki);
  const std::string header = SampleHeaderBytes(kAgencyC, kAgencyA);
  auto signature = signer->Sign(header);
  REQUIRE(signature.ok());
  CHECK(side.verifier.Verify(header, *signature, kAgencyC).ok());

  const auto registry = pki.Registry();
  const registry::Agency* entry = registry->Find(kAgencyC);
  REQUIRE(entry != nullptr);
  CHECK(entry->curve_public_key == agency.curve_public);
  CHECK(entry->name == "Bộ Nội vụ");

  std::error_code ec;
  CHECK_FALSE(std::filesystem::exists(pki.paths.agency_key(kAgencyC), ec));
  CHECK_FALSE(
      std::filesystem::exists(pki.paths.agency_curve_secret(kAgencyC), ec));
  for (const auto& [file, bytes] : Snapshot(pki.paths.dir())) {
    INFO(file);
    if (file != "root/key.pem") {
      CHECK(bytes.find("PRIVATE KEY") == std::string::npos);
    }
  }
}

TEST_CASE("a tampered request is refused and changes nothing", "[request]") {
  PkiFixture pki;
  AgencyMachine agency(kAgencyC);
  const auto before = Snapshot(pki.paths.dir());
  // Another CURVE key, or another agency id, than the one the key signed.
  for (std::string_view inside :
       {pki::kCurveUriPrefix, std::string_view("000.00.00.H4")}) {
    auto issued = pki::IssueAgencyFromRequest(
        pki.paths.dir(), IssuanceOf(Tampered(agency.Request(), inside)));
    INFO(inside);
    CHECK(CodeOf(issued.status()) == "bad_signature");
    CHECK(Snapshot(pki.paths.dir()) == before);
  }
  CHECK(CodeOf(pki::IssueAgencyFromRequest(pki.paths.dir(),
                                           IssuanceOf("not a request"))
                   .status()) == "malformed");
  CHECK(Snapshot(pki.paths.dir()) == before);
}

TEST_CASE(
    "a request for another agency than the operator expects is refused and "
    "changes nothing",
    "[request]") {
  PkiFixture pki;
  AgencyMachine agency(kAgencyC);
  const auto before = Snapshot(pki.paths.dir());
  pki::RequestIssuance issuance = IssuanceOf(agency.Request());
  issuance.expected_agency = "000.00.00.H29";
  CHECK(
      CodeOf(pki::IssueAgencyFromRequest(pki.paths.dir(), issuance).status()) ==
      "signer_mismatch");
  // A request for an agency already registered.
  AgencyMachine impostor(kAgencyA);
  CHECK(CodeOf(pki::IssueAgencyFromRequest(pki.paths.dir(),
                                           IssuanceOf(impostor.Request()))
                   .status()) == "already_exists");
  CHECK(Snapshot(pki.paths.dir()) == before);
  issuance.expected_agency = kAgencyC;
  CHECK(pki::IssueAgencyFromRequest(pki.paths.dir(), issuance).ok());
}

TEST_CASE(
    "a request whose CURVE key is already bound to another agency is refused "
    "and changes nothing",
    "[request]") {
  PkiFixture pki;
  AgencyMachine agency(kAgencyC);
  const std::string bound = pki.Registry()->Find(kAgencyA)->curve_public_key;
  const auto before = Snapshot(pki.paths.dir());
  CHECK(CodeOf(pki::IssueAgencyFromRequest(
                   pki.paths.dir(), IssuanceOf(agency.Request(kAgencyC, bound)))
                   .status()) == "already_exists");
  CHECK(Snapshot(pki.paths.dir()) == before);
}

TEST_CASE("a bad alias or parent refuses the request and changes nothing",
          "[request]") {
  PkiFixture pki;
  AgencyMachine agency(kAgencyC);
  const auto before = Snapshot(pki.paths.dir());
  pki::RequestIssuance issuance = IssuanceOf(agency.Request());
  issuance.aliases = {kAgencyB};  // another agency's id
  CHECK_FALSE(pki::IssueAgencyFromRequest(pki.paths.dir(), issuance).ok());
  CHECK(Snapshot(pki.paths.dir()) == before);
  issuance.aliases = {"vxp.saas.03"};
  issuance.parent = "G22";
  CHECK(
      CodeOf(pki::IssueAgencyFromRequest(pki.paths.dir(), issuance).status()) ==
      "invalid_field");
  CHECK(Snapshot(pki.paths.dir()) == before);
  issuance.parent = kAgencyA;
  REQUIRE(pki::IssueAgencyFromRequest(pki.paths.dir(), issuance).ok());
  CHECK(pki.Registry()->Resolve("vxp.saas.03") != nullptr);
}

TEST_CASE("a request is refused for a malformed id or CURVE key at the agency",
          "[request]") {
  AgencyMachine agency(kAgencyC);
  auto key = crypto::SigningKey::Open((agency.tmp.path() / "key.pem").string());
  REQUIRE(key.ok());
  CHECK(CodeOf(pki::MakeAgencyRequest((*key)->pkey(), "../etc",
                                      agency.curve_public)
                   .status()) == "invalid_field");
  CHECK(CodeOf(pki::MakeAgencyRequest((*key)->pkey(), kAgencyC, "short")
                   .status()) == "invalid_field");
  // A key file is never overwritten.
  CHECK(CodeOf(pki::WriteNewAgencyKey(agency.tmp.path() / "key.pem")) ==
        "already_exists");
}

}  // namespace
}  // namespace docbus::test
