// The signed registry: what the CA publishes verifies against its root and
// carries every agency's state; tampered bytes, another signer, an older or
// equal serial and an entry whose certificate is not the root's are refused;
// an agent's RegistryFollower applies a newer one, keeps it across a
// restart, and refuses a bad one once, leaving the one in force unchanged.
#include <catch2/catch.hpp>

#include "agents/agent_metrics.h"
#include "agents/registry_follower.h"
#include "bus/core/files.h"
#include "bus/core/metrics.h"
#include "bus/registry/signed_registry.h"
#include "certs/agency_state.h"
#include "certs/registry_publication.h"
#include "tests/crypto/pki_fixture.h"

namespace docbus::test {
namespace {

std::string Published(const pki::PkiPaths& paths) {
  auto serial = pki::PublishRegistry(paths.dir());
  INFO(serial.status().ToString());
  REQUIRE(serial.ok());
  auto bytes = ReadFileLimited(paths.signed_registry(), 16u << 20);
  REQUIRE(bytes.ok());
  return *bytes;
}

std::shared_ptr<const crypto::Certificate> Root(const pki::PkiPaths& paths) {
  auto root = crypto::Certificate::FromFile(paths.root_certificate());
  REQUIRE(root.ok());
  return *root;
}

}  // namespace

TEST_CASE("a published registry verifies against the root with every agency's state") {
  PkiFixture pki;
  const std::string first = Published(pki.paths);
  REQUIRE(pki::SetAgencyDisabled(pki.paths.dir(), kAgencyB, true).ok());
  const std::string second = Published(pki.paths);
  auto root = Root(pki.paths);

  auto v1 = registry::VerifySignedRegistry(first, *root, 0);
  INFO(v1.status().ToString());
  REQUIRE(v1.ok());
  auto v2 = registry::VerifySignedRegistry(second, *root, v1->serial);
  INFO(v2.status().ToString());
  REQUIRE(v2.ok());
  CHECK(v2->serial > v1->serial);
  REQUIRE(v2->agencies->Find(kAgencyB) != nullptr);
  CHECK(v1->agencies->Find(kAgencyB)->may_exchange());
  CHECK(v2->agencies->Find(kAgencyB)->disabled);
  CHECK(v2->agencies->Find(kAgencyA)->may_exchange());
  CHECK(v2->crl_pem.find("BEGIN X509 CRL") != std::string::npos);
}

TEST_CASE("a tampered, foreign, stale or badly chained registry is refused") {
  PkiFixture pki;
  const std::string good = Published(pki.paths);
  auto root = Root(pki.paths);
  auto in_force = registry::VerifySignedRegistry(good, *root, 0);
  REQUIRE(in_force.ok());

  SECTION("tampered bytes") {
    v1::SignedRegistry envelope;
    REQUIRE(envelope.ParseFromString(good));
    v1::Registry body;
    REQUIRE(body.ParseFromString(envelope.registry()));
    body.mutable_agencies(0)->set_state(v1::AGENCY_STATE_ACTIVE);
    body.mutable_agencies(0)->set_name("someone else");
    envelope.set_registry(body.SerializeAsString());
    auto r = registry::VerifySignedRegistry(envelope.SerializeAsString(),
                                            *root, 0);
    CHECK(CodeOf(r.status()) == CodeOf(Status(Code::kBadSignature, "")));
    CHECK(registry::RefusalReason(r.status()) == "signature");
  }
  SECTION("signed by another root") {
    PkiFixture other;
    auto r = registry::VerifySignedRegistry(Published(other.paths), *root, 0);
    CHECK(CodeOf(r.status()) == CodeOf(Status(Code::kBadSignature, "")));
  }
  SECTION("an equal or older serial") {
    auto equal = registry::VerifySignedRegistry(good, *root, in_force->serial);
    CHECK(registry::RefusalReason(equal.status()) == "stale");
    auto older =
        registry::VerifySignedRegistry(good, *root, in_force->serial + 5);
    CHECK(registry::RefusalReason(older.status()) == "stale");
  }
  SECTION("an entry whose certificate is not the root's") {
    PkiFixture other;
    auto foreign = ReadFileLimited(other.paths.agency_certificate(kAgencyA),
                                   1 << 20);
    REQUIRE(foreign.ok());
    v1::SignedRegistry envelope;
    REQUIRE(envelope.ParseFromString(good));
    v1::Registry body;
    REQUIRE(body.ParseFromString(envelope.registry()));
    body.set_serial(body.serial() + 1);
    for (auto& a : *body.mutable_agencies()) {
      if (a.id() == kAgencyA) a.set_certificate_pem(*foreign);
    }
    auto signer = crypto::Signer::Load(pki.paths.root_key(),
                                       pki.paths.root_certificate());
    REQUIRE(signer.ok());
    auto bytes = registry::SignRegistry(body, **signer);
    REQUIRE(bytes.ok());
    auto r = registry::VerifySignedRegistry(*bytes, *root, in_force->serial);
    CHECK(CodeOf(r.status()) ==
          CodeOf(Status(Code::kUntrustedCertificate, "")));
  }
  SECTION("not a signed registry at all") {
    auto r = registry::VerifySignedRegistry("not protobuf \xff\xff", *root, 0);
    CHECK(registry::RefusalReason(r.status()) == "malformed");
  }
}

TEST_CASE("an agent follows a newer registry, keeps it, and refuses a bad one once") {
  PkiFixture pki;
  const std::filesystem::path configured = pki.tmp.path() / "first.signed";
  REQUIRE(WriteFileAtomically(configured, Published(pki.paths)).ok());
  const std::filesystem::path data = pki.tmp.path() / "agent";
  REQUIRE(MakeDirectory(data).ok());
  RealClock clock;
  Metrics metrics;
  auto started = agent::RegistryFollower::Start(
      configured, pki.paths.root_certificate(), data, kAgencyA, clock,
      metrics);
  INFO(started.status().ToString());
  REQUIRE(started.ok());
  auto& follower = *started->follower;
  const uint64_t first_serial = follower.serial();

  // Another signer, offered twice: refused, said once, nothing changed.
  PkiFixture other;
  const std::string foreign = Published(other.paths);
  CHECK_FALSE(follower.Offer(foreign).ok());
  CHECK_FALSE(follower.Offer(foreign).ok());
  CHECK(metrics.Value(agent::metric::kRegistryRefused,
                      Label("reason", "signature")) == 1);
  CHECK(follower.serial() == first_serial);
  CHECK(started->pki->registry()->Find(kAgencyB)->may_exchange());

  // A newer one revoking B: in force at once, and kept.
  REQUIRE(pki::Revoke(pki.paths.dir(), kAgencyB).ok());
  const std::string revoking = Published(pki.paths);
  REQUIRE(follower.Offer(revoking).ok());
  CHECK(follower.serial() > first_serial);
  CHECK(started->pki->registry()->Find(kAgencyB)->revoked);
  auto verifier = started->pki->verifier();
  auto signer_b = pki.SignerFor(kAgencyB);
  const std::string header = SampleHeaderBytes(kAgencyB, kAgencyA);
  auto sig = signer_b->Sign(header);
  REQUIRE(sig.ok());
  CHECK(CodeOf(verifier->Verify(header, *sig, kAgencyB)) ==
        CodeOf(Status(Code::kAgencyRevoked, "")));

  // The older one again: stale, refused; B stays revoked.
  auto older = ReadFileLimited(configured, 16u << 20);
  REQUIRE(older.ok());
  CHECK_FALSE(follower.Offer(*older).ok());
  CHECK(metrics.Value(agent::metric::kRegistryRefused,
                      Label("reason", "stale")) == 1);
  CHECK(started->pki->registry()->Find(kAgencyB)->revoked);

  // A restart with the old file configured starts from the kept newer one.
  const uint64_t newest = follower.serial();
  started = Result<agent::RegistryFollower::Started>(
      Status(Code::kInternal, "reset"));
  Metrics metrics2;
  auto restarted = agent::RegistryFollower::Start(
      configured, pki.paths.root_certificate(), data, kAgencyA, clock,
      metrics2);
  REQUIRE(restarted.ok());
  CHECK(restarted->follower->serial() == newest);
  CHECK(restarted->pki->registry()->Find(kAgencyB)->revoked);
}

}  // namespace docbus::test
