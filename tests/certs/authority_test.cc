// What an operator gets from the PKI tool: a folder in the documented
// layout, certificates that name their agency and chain to the national
// root, private keys only the owner can read, and a CRL stock OpenSSL checks.
#include <openssl/ec.h>
#include <sys/stat.h>
#include <zmq.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>

#include "bus/crypto/certificate.h"
#include "bus/core/files.h"
#include "certs/curve_keys.h"
#include "tests/crypto/pki_fixture.h"

namespace docbus::test {
namespace {

mode_t ModeOf(const std::filesystem::path& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

std::string SubjectField(X509* cert, int nid) {
  const X509_NAME* name = X509_get_subject_name(cert);
  const int at = X509_NAME_get_index_by_NID(name, nid, -1);
  REQUIRE(at >= 0);
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(
      &utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at)));
  std::string out(reinterpret_cast<char*>(utf8), len);
  OPENSSL_free(utf8);
  return out;
}

std::string ReadKey(const std::filesystem::path& file) {
  auto text = ReadFileLimited(file, 1024);
  REQUIRE(text.ok());
  return *text;
}

int Run(const std::string& command) {
  const int rc = std::system((command + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string Capture(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof(buf), pipe)) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

TEST_CASE("init creates the documented layout and refuses to replace it",
          "[pki]") {
  PkiFixture pki(false);
  const pki::PkiPaths& p = pki.paths;
  for (const auto& file :
       {p.root_certificate(), p.root_key(), p.crl(), p.registry()}) {
    INFO(file);
    CHECK(std::filesystem::exists(file));
  }
  CHECK(ModeOf(p.root_key()) == 0600);
  CHECK(ModeOf(p.root_dir()) == 0700);
  CHECK(pki.Registry()->agencies().empty());
  CHECK(CodeOf(pki::InitAuthority(p.dir())) == "already_exists");
  CHECK(CodeOf(pki::IssueAgency(pki.tmp.path() / "elsewhere", kAgencyA, "X",
                                "")) == "failed_precondition");
}

TEST_CASE(
    "an issued agency certificate names the agency and chains to the root",
    "[pki]") {
  PkiFixture pki;
  auto cert =
      crypto::Certificate::FromFile(pki.paths.agency_certificate(kAgencyA));
  REQUIRE(cert.ok());
  X509* x = (*cert)->x509();
  CHECK(SubjectField(x, NID_countryName) == "VN");
  CHECK(SubjectField(x, NID_organizationName) == "Văn phòng Chính phủ");
  CHECK(SubjectField(x, NID_commonName) == kAgencyA);
  CHECK(SubjectField(x, NID_serialNumber) == kAgencyA);
  EVP_PKEY* key = X509_get0_pubkey(x);
  REQUIRE(EVP_PKEY_get_base_id(key) == EVP_PKEY_EC);
  char curve[64] = {};
  size_t curve_len = 0;
  REQUIRE(EVP_PKEY_get_utf8_string_param(key, "group", curve, sizeof(curve),
                                         &curve_len));
  CHECK(std::string(curve) == "prime256v1");
  CHECK(ModeOf(pki.paths.agency_key(kAgencyA)) == 0600);
  CHECK(ModeOf(pki.paths.agency_curve_secret(kAgencyA)) == 0600);
  CHECK(Run("openssl verify -CAfile " + pki.paths.root_certificate().string() +
            " " + pki.paths.agency_certificate(kAgencyA).string()) == 0);

  // The CURVE pair on disk belongs together and is the one registered.
  const std::string pub = ReadKey(pki.paths.agency_curve_public(kAgencyA));
  const std::string sec = ReadKey(pki.paths.agency_curve_secret(kAgencyA));
  REQUIRE(pub.size() == 41);
  REQUIRE(sec.size() == 41);
  char derived[41] = {};
  REQUIRE(zmq_curve_public(derived, sec.substr(0, 40).c_str()) == 0);
  CHECK(std::string(derived) == pub.substr(0, 40));
  CHECK(pki.Registry()->Find(kAgencyA)->curve_public_key == pub.substr(0, 40));
}

TEST_CASE(
    "an invalid or duplicate agency is refused and the registry is unchanged",
    "[pki]") {
  PkiFixture pki;
  const std::string before =
      *ReadFileLimited(pki.paths.registry(), 1 << 20);
  CHECK(CodeOf(pki::IssueAgency(pki.paths.dir(), "000.00.00.g22", "x", "")) ==
        "invalid_field");
  CHECK(CodeOf(pki::IssueAgency(pki.paths.dir(), "../../etc", "x", "")) ==
        "invalid_field");
  CHECK(CodeOf(pki::IssueAgency(pki.paths.dir(), kAgencyC, "x", "G22")) ==
        "invalid_field");
  CHECK(CodeOf(pki::IssueAgency(pki.paths.dir(), kAgencyC, "", "")) ==
        "invalid_argument");
  CHECK(CodeOf(pki::IssueAgency(pki.paths.dir(), kAgencyA, "Again", "")) ==
        "already_exists");
  CHECK(*ReadFileLimited(pki.paths.registry(), 1 << 20) == before);
  CHECK_FALSE(std::filesystem::exists(pki.paths.agency_dir(kAgencyC)));
}

TEST_CASE("a long Vietnamese name is kept whole in the registry", "[pki]") {
  PkiFixture pki(false);
  const std::string name =
      "Ủy ban nhân dân tỉnh Bà Rịa - Vũng Tàu, Sở Thông tin và Truyền thông, "
      "Trung tâm Công nghệ thông tin và Truyền thông";
  REQUIRE(pki::IssueAgency(pki.paths.dir(), kAgencyC, name, "").ok());
  CHECK(pki.Registry()->Find(kAgencyC)->name == name);
  auto cert =
      crypto::Certificate::FromFile(pki.paths.agency_certificate(kAgencyC));
  REQUIRE(cert.ok());
  // X.509 caps O at 64 characters; it is cut on a character boundary.
  const std::string o = SubjectField((*cert)->x509(), NID_organizationName);
  CHECK(name.rfind(o, 0) == 0);
}

TEST_CASE(
    "the broker certificate is named 'docbus broker' and has its CURVE keys",
    "[pki]") {
  PkiFixture pki(false);
  REQUIRE(pki::IssueBroker(pki.paths.dir()).ok());
  auto signer = crypto::Signer::Load(pki.paths.broker_key(),
                                     pki.paths.broker_certificate());
  REQUIRE(signer.ok());
  CHECK((*signer)->agency_id() == "docbus broker");
  CHECK(ModeOf(pki.paths.broker_key()) == 0600);
  CHECK(ModeOf(pki.paths.broker_curve_secret()) == 0600);
  CHECK(ReadKey(pki.paths.broker_curve_public()).size() == 41);
  RealClock clock;
  CHECK(pki.Trust(clock)->Check((*signer)->certificate()).ok());
  CHECK(CodeOf(pki::IssueBroker(pki.paths.dir())) == "already_exists");
}

TEST_CASE("revoking lists the certificate in a CRL that openssl verifies",
          "[pki]") {
  PkiFixture pki;
  const std::string verify_crl = "openssl crl -noout -verify -CAfile " +
                                 pki.paths.root_certificate().string() +
                                 " -in " + pki.paths.crl().string();
  CHECK(Run(verify_crl) == 0);
  REQUIRE(pki::Revoke(pki.paths.dir(), kAgencyA).ok());
  REQUIRE(pki::Revoke(pki.paths.dir(), kAgencyA).ok());  // again: harmless
  CHECK(Run(verify_crl) == 0);
  CHECK(pki.Registry()->Find(kAgencyA)->revoked);
  CHECK_FALSE(pki.Registry()->Find(kAgencyB)->revoked);
  // openssl sees A's certificate as revoked, B's as good.
  const std::string check = "openssl verify -crl_check -CAfile " +
                            pki.paths.root_certificate().string() +
                            " -CRLfile " + pki.paths.crl().string() + " ";
  CHECK(Run(check + pki.paths.agency_certificate(kAgencyA).string()) != 0);
  CHECK(Run(check + pki.paths.agency_certificate(kAgencyB).string()) == 0);
  REQUIRE(pki::WriteCrl(pki.paths.dir(), 7).ok());
  CHECK(Run(check + pki.paths.agency_certificate(kAgencyA).string()) != 0);
  // init, two revocations and one re-signing: the fourth CRL.
  CHECK(Capture("openssl crl -noout -crlnumber -in " +
                pki.paths.crl().string()) == "crlNumber=0x04\n");
  CHECK(CodeOf(pki::Revoke(pki.paths.dir(), kAgencyC)) == "not_found");
}

TEST_CASE("curve-keygen writes a key pair and never overwrites one", "[pki]") {
  TempDir tmp;
  auto pub = pki::CurveKeygen(tmp.path() / "agent");
  REQUIRE(pub.ok());
  CHECK(pub->size() == 40);
  CHECK(ReadKey(tmp.path() / "agent" / "curve.public") == *pub + "\n");
  CHECK(ModeOf(tmp.path() / "agent" / "curve.secret") == 0600);
  CHECK(CodeOf(pki::CurveKeygen(tmp.path() / "agent").status()) ==
        "already_exists");
}

}  // namespace
}  // namespace docbus::test
