// `docbus pki ...` as an operator types it: each command does its job, says
// what it did, and exits 0; mistakes exit 2 (usage) or 1 (failure) with a
// message, and no key material is ever printed.
#include "tools/pki_commands.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <sstream>
#include <vector>

#include "bus/core/files.h"
#include "tests/certs/cli_run.h"
#include "tests/crypto/pki_fixture.h"

namespace docbus::test {
namespace {

CommandResult Docbus(std::vector<std::string> args) {
  return RunCli(
      [](CLI::App& app, std::ostream& out, std::ostream& err) {
        AddPkiCommands(app, out, err);
      },
      std::move(args));
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Seconds from the certificate's notBefore to now, read with OpenSSL alone.
int64_t SecondsSinceNotBefore(const std::filesystem::path& pem) {
  FILE* file = std::fopen(pem.c_str(), "r");
  REQUIRE(file != nullptr);
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  REQUIRE(cert != nullptr);
  int days = 0, seconds = 0;
  // A null `to` is the current time.
  const int diffed =
      ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), nullptr);
  X509_free(cert);
  REQUIRE(diffed == 1);
  return int64_t{days} * 86400 + seconds;
}

constexpr int64_t kFiveMinutes = 5 * 60;

TEST_CASE("docbus pki builds a working PKI folder from the command line",
          "[cli]") {
  TempDir tmp;
  const std::string dir = (tmp.path() / "pki").string();
  const pki::PkiPaths paths(dir);

  CHECK(Docbus({"pki", "init", "--dir", dir}).exit_code == 0);
  auto issued = Docbus({"pki", "issue", "--dir", dir, "--agency", kAgencyA,
                        "--name", "Văn phòng Chính phủ", "--days", "30"});
  CHECK(issued.exit_code == 0);
  CHECK(Contains(issued.out, kAgencyA));
  CHECK(Docbus({"pki", "issue", "--dir", dir, "--agency", kAgencyB, "--name",
                "Bộ Tài chính", "--parent", kAgencyA})
            .exit_code == 0);
  CHECK(Docbus({"pki", "broker", "--dir", dir}).exit_code == 0);
  CHECK(std::filesystem::exists(paths.broker_certificate()));

  // Rotate A's CURVE key: keygen, signed request, enrolment.
  const std::string agent_keys = (tmp.path() / "agent-keys").string();
  auto keygen = Docbus({"pki", "curve-keygen", "--out", agent_keys});
  REQUIRE(keygen.exit_code == 0);
  const std::string new_key = keygen.out.substr(0, 40);
  auto secret = ReadFileLimited(tmp.path() / "agent-keys" / "curve.secret", 64);
  REQUIRE(secret.ok());
  CHECK_FALSE(Contains(keygen.out, secret->substr(0, 40)));  // never printed
  const std::string request = (tmp.path() / "enrol.req").string();
  CHECK(Docbus({"pki", "enroll-request", "--key",
                paths.agency_key(kAgencyA).string(), "--cert",
                paths.agency_certificate(kAgencyA).string(), "--curve-public",
                agent_keys + "/curve.public", "--out", request})
            .exit_code == 0);
  auto enrolled = Docbus({"pki", "enroll", "--dir", dir, "--request", request});
  CHECK(enrolled.exit_code == 0);
  auto registry = registry::AgencyRegistry::Load(paths.registry());
  REQUIRE(registry.ok());
  CHECK((*registry)->FindByCurveKey(new_key) == (*registry)->Find(kAgencyA));

  CHECK(
      Docbus({"pki", "revoke", "--dir", dir, "--agency", kAgencyB}).exit_code ==
      0);
  CHECK(Docbus({"pki", "crl", "--dir", dir, "--days", "7"}).exit_code == 0);
  registry = registry::AgencyRegistry::Load(paths.registry());
  REQUIRE(registry.ok());
  CHECK((*registry)->Find(kAgencyB)->revoked);
}

TEST_CASE(
    "certificates from docbus pki start at most 5 minutes before they are "
    "issued, unless --backdate-days asks for earlier",
    "[cli]") {
  TempDir tmp;
  const std::string dir = (tmp.path() / "pki").string();
  const pki::PkiPaths paths(dir);
  REQUIRE(Docbus({"pki", "init", "--dir", dir}).exit_code == 0);
  REQUIRE(Docbus({"pki", "issue", "--dir", dir, "--agency", kAgencyA, "--name",
                  "Văn phòng Chính phủ"})
              .exit_code == 0);
  REQUIRE(Docbus({"pki", "broker", "--dir", dir}).exit_code == 0);
  for (const auto& pem :
       {paths.root_certificate(), paths.agency_certificate(kAgencyA),
        paths.broker_certificate()}) {
    INFO(pem.string());
    const int64_t age = SecondsSinceNotBefore(pem);
    CHECK(age >= 0);
    // 5 minutes of allowed clock skew, plus the time this test took.
    CHECK(age <= kFiveMinutes + 60);
  }

  // Backdating is an explicit request (tests on a fake clock).
  REQUIRE(Docbus({"pki", "issue", "--dir", dir, "--agency", kAgencyB, "--name",
                  "Bộ Tài chính", "--backdate-days", "366"})
              .exit_code == 0);
  const int64_t age = SecondsSinceNotBefore(paths.agency_certificate(kAgencyB));
  CHECK(age >= 366 * 86400);
  CHECK(age <= 366 * 86400 + 60);
  CHECK(Docbus({"pki", "issue", "--dir", dir, "--agency", kAgencyC, "--name",
                "Bộ Nội vụ", "--backdate-days", "-1"})
            .exit_code != 0);
}

TEST_CASE(
    "docbus pki mistakes exit 2 for usage and 1 for failures, with a message",
    "[cli]") {
  TempDir tmp;
  const std::string dir = (tmp.path() / "pki").string();
  REQUIRE(Docbus({"pki", "init", "--dir", dir}).exit_code == 0);

  auto bad_id =
      Docbus({"pki", "issue", "--dir", dir, "--agency", "G22", "--name", "x"});
  CHECK(bad_id.exit_code == 2);
  CHECK(Contains(bad_id.err, "NNN.NN.NN.Xnn"));

  auto again = Docbus({"pki", "init", "--dir", dir});
  CHECK(again.exit_code == 1);
  CHECK(Contains(again.err, "already_exists"));

  auto not_pki =
      Docbus({"pki", "broker", "--dir", (tmp.path() / "nothing").string()});
  CHECK(not_pki.exit_code == 1);
  CHECK(Contains(not_pki.err, "docbus pki init"));

  auto unknown = Docbus({"pki", "revoke", "--dir", dir, "--agency", kAgencyC});
  CHECK(unknown.exit_code == 1);
  CHECK(Contains(unknown.err, "not_found"));

  auto missing_request =
      Docbus({"pki", "enroll", "--dir", dir, "--request", dir + "/none.req"});
  CHECK(missing_request.exit_code == 1);

  // CLI11's own usage errors (a missing required option) are non-zero too.
  CHECK(Docbus({"pki", "issue", "--dir", dir}).exit_code != 0);
}

}  // namespace
}  // namespace docbus::test
