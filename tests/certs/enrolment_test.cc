// An agency that rotates its transport key proves the new CURVE key is its
// own with its X.509 signature; the authority binds it only then.
#include "certs/enrolment.h"

#include <catch2/catch.hpp>

#include "bus/core/files.h"
#include "certs/curve_keys.h"
#include "tests/crypto/pki_fixture.h"

namespace docbus::test {
namespace {

std::string NewCurveKey() {
  auto keys = pki::GenerateCurveKeys();
  REQUIRE(keys.ok());
  return keys->public_z85;
}

Result<std::string> RequestFor(const PkiFixture& pki, const std::string& id,
                               const std::string& key) {
  return pki::MakeEnrolmentRequest(pki.paths.agency_key(id),
                                   pki.paths.agency_certificate(id), key);
}

TEST_CASE("an enrolment request binds the agency's new CURVE key", "[enrol]") {
  PkiFixture pki;
  const std::string old_key = pki.Registry()->Find(kAgencyA)->curve_public_key;
  const std::string new_key = NewCurveKey();
  auto request = RequestFor(pki, kAgencyA, new_key);
  REQUIRE(request.ok());
  CHECK(request->rfind(
            std::string("docbus-enrol/v1\n") + kAgencyA + "\n" + new_key + "\n",
            0) == 0);
  auto accepted = pki::AcceptEnrolment(pki.paths.dir(), *request);
  INFO(accepted.status().ToString());
  REQUIRE(accepted.ok());
  CHECK(*accepted == kAgencyA);
  auto registry = pki.Registry();
  CHECK(registry->FindByCurveKey(new_key) == registry->Find(kAgencyA));
  CHECK(registry->FindByCurveKey(old_key) == nullptr);
  CHECK(*ReadFileLimited(pki.paths.agency_curve_public(kAgencyA),
                                   64) == new_key + "\n");
  CHECK_FALSE(std::filesystem::exists(pki.paths.agency_curve_secret(kAgencyA)));
  // The same request again changes nothing and is accepted.
  CHECK(pki::AcceptEnrolment(pki.paths.dir(), *request).ok());
}

TEST_CASE("a tampered or forged enrolment request is refused and binds nothing",
          "[enrol]") {
  PkiFixture pki;
  const std::string before =
      *ReadFileLimited(pki.paths.registry(), 1 << 20);
  const std::string new_key = NewCurveKey();
  auto request = RequestFor(pki, kAgencyA, new_key);
  REQUIRE(request.ok());

  // Someone swaps in their own CURVE key: the signature no longer matches.
  std::string swapped = *request;
  const std::string other_key = NewCurveKey();
  swapped.replace(swapped.find(new_key), 40, other_key);
  CHECK(CodeOf(pki::AcceptEnrolment(pki.paths.dir(), swapped).status()) ==
        "bad_signature");

  // B signs a request that claims to be A's.
  auto by_b = RequestFor(pki, kAgencyB, new_key);
  REQUIRE(by_b.ok());
  std::string claimed_a = *by_b;
  claimed_a.replace(claimed_a.find(kAgencyB), 13, kAgencyA);
  CHECK(CodeOf(pki::AcceptEnrolment(pki.paths.dir(), claimed_a).status()) ==
        "signer_mismatch");

  // Not a request at all.
  CHECK(CodeOf(pki::AcceptEnrolment(pki.paths.dir(), "hello\n").status()) ==
        "malformed");
  std::string bad_base64 = *request;
  bad_base64.insert(bad_base64.size() - 1, "!");
  CHECK(CodeOf(pki::AcceptEnrolment(pki.paths.dir(), bad_base64).status()) ==
        "malformed");

  // An unregistered agency.
  CHECK(CodeOf(pki::AcceptEnrolment(pki.paths.dir(),
                                    std::string(*request).replace(
                                        request->find(kAgencyA), 13, kAgencyC))
                   .status()) == "unknown_agency");

  CHECK(*ReadFileLimited(pki.paths.registry(), 1 << 20) == before);
}

TEST_CASE("an old request, a revoked agency or another agency's key is refused",
          "[enrol]") {
  PkiFixture pki;
  auto request = RequestFor(pki, kAgencyA, NewCurveKey());
  REQUIRE(request.ok());
  FakeClock later(RealClock().NowUnixMillis());
  later.Advance(std::chrono::hours(24 * 8));
  CHECK(
      CodeOf(pki::AcceptEnrolment(pki.paths.dir(), *request, later).status()) ==
      "expired");

  const std::string key_of_b = pki.Registry()->Find(kAgencyB)->curve_public_key;
  auto steal = RequestFor(pki, kAgencyA, key_of_b);
  REQUIRE(steal.ok());
  CHECK(CodeOf(pki::AcceptEnrolment(pki.paths.dir(), *steal).status()) ==
        "already_exists");

  REQUIRE(pki::Revoke(pki.paths.dir(), kAgencyA).ok());
  CHECK(CodeOf(pki::AcceptEnrolment(pki.paths.dir(), *request).status()) ==
        "agency_revoked");
  CHECK(CodeOf(pki::MakeEnrolmentRequest(pki.paths.agency_key(kAgencyA),
                                         pki.paths.agency_certificate(kAgencyA),
                                         "short")
                   .status()) == "invalid_field");
}

}  // namespace
}  // namespace docbus::test
