// A 64 MiB attachment crosses a broker on PostgreSQL in chunks: it arrives
// byte-identical with its receipt, while the broker's memory stays far below
// the attachment's size (its peak resident set is read from /proc).
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/e2e/e2e_support.h"

namespace docbus::e2e {
namespace {

constexpr int64_t kMiB = 1 << 20;

TEST_CASE(
    "a 64 MiB attachment crosses a broker on PostgreSQL intact, with "
    "the broker under 100 MiB of memory",
    "[e2e][postgresql][large]") {
  local::DeploymentOptions options = WithStore("postgresql");
  options.max_attachment_bytes = 64 * kMiB;
  auto d = MakeDeployment({kG22, kH41}, options);
  REQUIRE(d->StartAll().ok());

  std::string attachment;
  auto id = d->Send(kG22, MakeDocument({kH41}, 1, 64 * kMiB, &attachment));
  REQUIRE(id.ok());
  REQUIRE(
      WaitForReceipts(*d, {{kG22, *id, {kH41}}}, std::chrono::seconds(240)));
  CHECK(InboxAttachment(*d, kH41, *id) == attachment);

  const long peak_kib = PeakRssKiB(d->broker_pid());
  WARN("broker peak RSS " << peak_kib / 1024.0 << " MiB for a "
                          << attachment.size() / kMiB << " MiB attachment");
  REQUIRE(peak_kib > 0);
  CHECK(peak_kib < 100 * 1024);
  REQUIRE(d->StopBroker().ok());
  CHECK(VerifyBrokerLog(*d) == 0);
}

}  // namespace
}  // namespace docbus::e2e
