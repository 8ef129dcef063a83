// Onboarding as a national deployment does it, through real processes: the
// CA is made, the broker issued, and each of three agencies makes its own
// signing key and CURVE pair on its own machine with `docbus agent init`
// (one of them on a SoftHSM2 token, its agent signing through PKCS#11); the
// operator issues each from its request with `docbus agency add`, and the
// broker and agents follow the signed registry that publishes. Documents then flow among all three with receipts
// back, and the CA folder holds no agency's private key.
#include <catch2/catch.hpp>

#include "bus/core/files.h"
#include "tests/crypto/softhsm_token.h"
#include "tests/e2e/e2e_support.h"

namespace docbus::e2e {
namespace {

namespace fs = std::filesystem;
using Sent =
    std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>;

std::string Contents(const fs::path& file) {
  auto bytes = ReadFileLimited(file, 64u << 20);
  REQUIRE(bytes.ok());
  return *bytes;
}

}  // namespace

TEST_CASE(
    "three agencies onboarded by request, one signing on a PKCS#11 token, "
    "exchange documents with receipts, and the CA never holds their keys",
    "[e2e][pkcs11]") {
  test::SoftHsmToken token;  // SOFTHSM2_CONF reaches the docbus tool and agents
  local::DeploymentOptions options;
  options.onboard_by_request = true;
  options.signed_registry = true;
  options.pkcs11_keys[kH41] = token.Uri();
  options.pkcs11_module = test::kSoftHsmModule;
  auto d = MakeDeployment({kG22, kH41, kH29}, options);
  REQUIRE(d->StartAll().ok());

  const std::vector<std::string> agencies{kG22, kH41, kH29};
  Sent sent;
  std::map<std::string, std::string> attachment_of;
  int number = 1;
  for (const std::string& from : agencies) {
    std::vector<std::string> others;
    for (const std::string& to : agencies) {
      if (to != from) others.push_back(to);
    }
    for (const std::string& to : others) {
      std::string attachment;
      auto id = d->Send(from, MakeDocument({to}, number++, 2000, &attachment));
      REQUIRE(id.ok());
      sent.emplace_back(from, *id, std::vector<std::string>{to});
      attachment_of[*id] = attachment;
    }
  }
  REQUIRE(WaitForReceipts(*d, sent, std::chrono::seconds(60)));
  for (const auto& [from, id, to] : sent) {
    CHECK(StateAt(*d, from, id) == "accepted");
    CHECK(ReceiptsAt(*d, from, id) ==
          std::set<std::string>(to.begin(), to.end()));
    CHECK(InboxCounts(*d, to[0])[id] == 1);
    CHECK(InboxAttachment(*d, to[0], id) == attachment_of[id]);
  }

  // The token agency's signing key exists nowhere but on the token.
  std::error_code ec;
  CHECK_FALSE(fs::exists(d->agency_keys(kH41) / "key.pem", ec));
  CHECK(
      Contents(d->dir() / ("agent-" + kH41 + ".toml")).find("pkcs11:token=") !=
      std::string::npos);

  // No file of the CA folder holds an agency's private key or CURVE secret.
  std::vector<std::string> agency_secrets;
  for (const std::string& agency : agencies) {
    std::string secret = Contents(d->agency_keys(agency) / "curve.secret");
    agency_secrets.push_back(secret.substr(0, 40));
    if (agency != kH41) {
      CHECK(Contents(d->agency_keys(agency) / "key.pem").find("PRIVATE KEY") !=
            std::string::npos);
    }
  }
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(d->pki())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const fs::path relative = entry.path().lexically_relative(d->pki());
    INFO(relative.string());
    const std::string bytes = Contents(entry.path());
    const bool ca_or_broker_key =
        relative == "root/key.pem" || relative == "broker/key.pem";
    if (!ca_or_broker_key) {
      CHECK(bytes.find("PRIVATE KEY") == std::string::npos);
    }
    if (*relative.begin() == "agencies") {
      CHECK(relative.filename() != "curve.secret");
      CHECK(relative.filename() != "key.pem");
    }
    for (const std::string& secret : agency_secrets) {
      CHECK(bytes.find(secret) == std::string::npos);
    }
  }
  CHECK(files > 0);
  REQUIRE(d->StopAll().ok());
}

}  // namespace docbus::e2e
