// Large attachments, the receiving half: a 200 MiB attachment is fetched
// into a file with the receiving agent's memory flat, downloaded whole and
// by Range from GET /v1/inbox/<id>/attachments/0; a kill -9 of the
// receiving agent or of the broker in the middle of the fetch is survived:
// the fetch takes up where its partial file was durable, the bytes fetched
// again are printed and few, and the document arrives intact, once.
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>

#include "bus/crypto/sha256.h"
#include "tests/e2e/e2e_support.h"

namespace docbus::e2e {
namespace {

constexpr int64_t kMiB = 1 << 20;
constexpr char kFetched[] = "docbus_agent_fetch_bytes_total";
constexpr char kResumed[] = "docbus_agent_fetch_resumed_bytes_total";
constexpr char kServed[] = "docbus_broker_chunk_bytes_sent_total";

local::DeploymentOptions Options(int64_t attachment_bytes) {
  local::DeploymentOptions options;
  options.max_attachment_bytes = attachment_bytes;
  return options;
}

// The files of the receiving agent's attachment folder: committed ones and
// partial ones ("….part").
std::pair<int, int> AttachmentFiles(local::Deployment& d) {
  int committed = 0, partial = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(
           d.agent_data(kH41) / "attachments", ec)) {
    (e.path().extension() == ".part" ? partial : committed) += 1;
  }
  return {committed, partial};
}

// Sends one document with an attachment of `bytes` and waits until the
// receiving agent has fetched at least `before` bytes of it.
std::string SendAndWaitForFetch(local::Deployment& d, int64_t bytes,
                                int64_t before, std::string* attachment) {
  auto id = SendUploaded(d, kG22, MakeDocument({kH41}, 1, bytes, attachment),
                         *attachment);
  REQUIRE(id.ok());
  REQUIRE(local::Deployment::WaitUntil(
      [&] { return AgentMetric(d, kH41, kFetched) >= before; },
      std::chrono::seconds(240)));
  return *id;
}

void CheckArrivedOnce(local::Deployment& d, const std::string& id,
                      const std::string& attachment) {
  REQUIRE(WaitForReceipts(d, {{kG22, id, {kH41}}}, std::chrono::seconds(240)));
  CHECK(InboxCounts(d, kH41)[id] == 1);
  const std::string got = InboxAttachment(d, kH41, id);
  CHECK(got.size() == attachment.size());
  CHECK(crypto::Sha256(got) == crypto::Sha256(attachment));
  CHECK(AttachmentFiles(d) == std::make_pair(1, 0));
}

TEST_CASE(
    "a 200 MiB attachment is received with the receiving agent under "
    "100 MiB, and downloads whole and by Range",
    "[e2e][large]") {
  const int64_t size = 200 * kMiB;
  auto d = MakeDeployment({kG22, kH41}, Options(size));
  REQUIRE(d->StartAll().ok());
  std::string attachment;
  auto id = SendUploaded(*d, kG22, MakeDocument({kH41}, 1, size, &attachment),
                         attachment);
  REQUIRE(id.ok());
  REQUIRE(
      WaitForReceipts(*d, {{kG22, *id, {kH41}}}, std::chrono::seconds(300)));

  // Before any download: the fetch and the store alone.
  const long peak_kib = PeakRssKiB(d->agent_pid(kH41));
  WARN("receiving agent peak RSS " << peak_kib / 1024.0 << " MiB for a "
                                   << size / kMiB << " MiB attachment");
  REQUIRE(peak_kib > 0);
  CHECK(peak_kib < 100 * 1024);

  const std::string href = "/v1/inbox/" + *id + "/attachments/0";
  const AgentDownload whole = DownloadFrom(*d, kH41, href);
  CHECK(whole.status == 200);
  CHECK(whole.body.size() == attachment.size());
  CHECK(crypto::Sha256(whole.body) == crypto::Sha256(attachment));

  const int64_t first = 77 * kMiB + 12345, last = 123 * kMiB + 678;
  const AgentDownload slice = DownloadFrom(
      *d, kH41, href,
      "bytes=" + std::to_string(first) + "-" + std::to_string(last));
  CHECK(slice.status == 206);
  CHECK(slice.content_range == "bytes " + std::to_string(first) + "-" +
                                   std::to_string(last) + "/" +
                                   std::to_string(size));
  CHECK(slice.body == attachment.substr(first, last - first + 1));

  // Serving the download streamed it: the agent stayed small.
  const long after_kib = PeakRssKiB(d->agent_pid(kH41));
  WARN("receiving agent peak RSS after the downloads " << after_kib / 1024.0
                                                       << " MiB");
  CHECK(after_kib < 100 * 1024);
  CHECK(AttachmentFiles(*d) == std::make_pair(1, 0));
}

// A 200 MiB document whose fetch is interrupted by `interrupt` once 50 MiB
// have arrived; after it the transfer completes by itself. Prints and checks
// the bytes fetched again: `fetched` (from the broker's or the agent's
// counter, whichever process lived through) less the attachment's size.
void CheckFetchSurvives(
    const std::string& what,
    const std::function<void(local::Deployment&)>& interrupt,
    const std::function<double(local::Deployment&)>& fetched) {
  const int64_t size = 200 * kMiB;
  auto d = MakeDeployment({kG22, kH41}, Options(size));
  REQUIRE(d->StartAll().ok());
  std::string attachment;
  const std::string id = SendAndWaitForFetch(*d, size, 50 * kMiB, &attachment);
  interrupt(*d);
  CheckArrivedOnce(*d, id, attachment);

  const double resumed = AgentMetric(*d, kH41, kResumed);
  const double refetched = fetched(*d) - static_cast<double>(size);
  WARN("after " << what << ": " << resumed / kMiB
                << " MiB taken up from the partial file, " << refetched / kMiB
                << " MiB of " << size / kMiB << " MiB fetched again");
  CHECK(resumed >= 40 * kMiB);
  CHECK(refetched >= 0);
  CHECK(refetched < size / 4);
}

TEST_CASE(
    "a kill -9 of the receiving agent in the middle of a fetch: the fetch "
    "takes up where it was, the document arrives intact once",
    "[e2e][large]") {
  CheckFetchSurvives(
      "the agent's kill -9",
      [](local::Deployment& d) {
        d.KillAgent(kH41);
        REQUIRE(d.StartAgent(kH41).ok());
      },
      // The new agent counts only its own fetches; the broker all it served.
      [](local::Deployment& d) {
        return BrokerCounter(d, std::string(kServed));
      });
}

TEST_CASE(
    "a kill -9 of the broker in the middle of a fetch: the fetch takes up "
    "where it was, the document arrives intact once",
    "[e2e][large]") {
  CheckFetchSurvives(
      "the broker's kill -9",
      [](local::Deployment& d) {
        d.KillBroker();
        REQUIRE(d.StartBroker().ok());
      },
      [](local::Deployment& d) { return AgentMetric(d, kH41, kFetched); });
}

}  // namespace
}  // namespace docbus::e2e
