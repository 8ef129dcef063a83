// The registry and the CRL changing under a running agent (Agent::ReloadPki,
// what SIGHUP does): an agency that joins can be written to, a revoked one
// is refused in both directions, and files that do not load, or an older
// CRL put back, change nothing.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "agent_test_support.h"
#include "agents/agent_metrics.h"
#include "certs/authority.h"

namespace docbus::agent {
namespace {

using testing::kAgencyA;
using testing::kAgencyB;
using testing::SimpleRequest;

constexpr char kAgencyD[] = "000.00.00.H43";  // joins while the agent runs

double Reloads(Agent& agent, const char* result) {
  return agent.metrics().Value(metric::kPkiReloads, Label("result", result));
}

TEST_CASE(
    "after a reload the agent writes to an agency that joined and refuses one "
    "that was revoked, without a restart",
    "[agent][pki]") {
  testing::AgentWithBroker f;
  const std::filesystem::path& dir = f.pki.paths().dir();

  REQUIRE(pki::IssueAgency(dir, kAgencyD, "Bộ Công Thương", "").ok());
  // Issued, but this agent has not read the registry since.
  CHECK(f.agent->Submit(SimpleRequest(kAgencyD)).status().code() ==
        Code::kUnknownRecipient);
  REQUIRE(f.agent->ReloadPki().ok());
  auto to_d = f.agent->Submit(SimpleRequest(kAgencyD));
  REQUIRE(to_d.ok());
  auto submit = f.broker.Next(v1::Frame::kSubmit);
  REQUIRE(submit.has_value());
  v1::DocumentHeader header;
  REQUIRE(header.ParseFromString(submit->frame.submit().document().header()));
  CHECK(header.message_id() == *to_d);
  REQUIRE(header.to_size() == 1);
  CHECK(header.to(0).organ_id() == kAgencyD);

  REQUIRE(f.agent->Submit(SimpleRequest(kAgencyB)).ok());
  REQUIRE(pki::Revoke(dir, kAgencyB).ok());
  REQUIRE(f.agent->ReloadPki().ok());
  CHECK(f.agent->Submit(SimpleRequest(kAgencyB)).status().code() ==
        Code::kAgencyRevoked);
  CHECK(Reloads(*f.agent, "ok") == 2);
  CHECK(Reloads(*f.agent, "failed") == 0);
}

TEST_CASE(
    "once the agent reloads, a document from an agency revoked since is "
    "refused and not stored",
    "[agent][pki]") {
  testing::AgentWithBroker f;
  auto b = f.pki.SignerFor(kAgencyB);
  auto deliver = [&](uint64_t delivery_id) {
    f.broker.Send(f.routing, testing::DeliverDocumentFrame(
                                 delivery_id,
                                 testing::MakeDocument(*b, kAgencyB, {kAgencyA},
                                                       {{"qd.pdf", "PDF"}})));
    f.broker.Barrier(f.routing);
  };

  deliver(1);
  REQUIRE(f.broker.Next(v1::Frame::kAck).has_value());
  REQUIRE(pki::Revoke(f.pki.paths().dir(), kAgencyB).ok());
  REQUIRE(f.agent->ReloadPki().ok());
  deliver(2);
  auto refuse = f.broker.Next(v1::Frame::kRefuse);
  REQUIRE(refuse.has_value());
  CHECK(refuse->frame.refuse().delivery_id() == 2);
  CHECK(refuse->frame.refuse().reason() == v1::REASON_AGENCY_REVOKED);
  auto inbox = f.agent->ListIncoming(0, 100);
  REQUIRE(inbox.ok());
  CHECK(inbox->size() == 1);
}

TEST_CASE(
    "a registry that does not load, or an older CRL put back, leaves the "
    "registry and CRL in force",
    "[agent][pki]") {
  testing::AgentWithBroker f;
  const pki::PkiPaths& paths = f.pki.paths();

  SECTION("a registry that does not parse") {
    REQUIRE(pki::IssueAgency(paths.dir(), kAgencyD, "Bộ Công Thương", "").ok());
    std::ofstream(paths.registry(), std::ios::app) << "[agencies\n";
    CHECK(f.agent->ReloadPki().code() == Code::kInvalidArgument);
    CHECK(f.agent->Submit(SimpleRequest(kAgencyD)).status().code() ==
          Code::kUnknownRecipient);
    CHECK(f.agent->Submit(SimpleRequest(kAgencyB)).ok());
  }
  SECTION("the files from before a revocation copied back") {
    const std::filesystem::path saved = f.pki.dir() / "saved";
    std::filesystem::create_directories(saved);
    std::filesystem::copy_file(paths.crl(), saved / "crl.pem");
    std::filesystem::copy_file(paths.registry(), saved / "registry.toml");
    REQUIRE(pki::Revoke(paths.dir(), kAgencyB).ok());
    REQUIRE(f.agent->ReloadPki().ok());
    std::filesystem::copy_file(
        saved / "crl.pem", paths.crl(),
        std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(
        saved / "registry.toml", paths.registry(),
        std::filesystem::copy_options::overwrite_existing);
    CHECK_FALSE(f.agent->ReloadPki().ok());
    CHECK(f.agent->Submit(SimpleRequest(kAgencyB)).status().code() ==
          Code::kAgencyRevoked);
  }
  CHECK(Reloads(*f.agent, "failed") == 1);
}

}  // namespace
}  // namespace docbus::agent
