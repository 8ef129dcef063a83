// Large attachments end to end, the sending half and the whole way: a file
// is uploaded to the sending agent (POST /v1/attachments, streamed from
// disk), sent to the broker in chunks read from the agent's outbox files,
// fetched by the receiving agent and downloaded by the recipient's system,
// its SHA-256 compared, with every process's peak memory under 100 MiB
// (200 MiB here; 1 GiB in the opt-in "[1gib]" case). A kill -9 of the
// sending agent or of the broker in the middle of the upload is survived:
// the upload goes on from what the broker holds, the bytes sent again are
// printed and few, and the document arrives intact, once.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>

#include "bus/core/ids.h"
#include "bus/crypto/sha256.h"
#include "tests/e2e/e2e_support.h"
#include "tools/agent_client.h"

namespace docbus::e2e {
namespace {

constexpr int64_t kMiB = 1 << 20;
constexpr char kSent[] = "docbus_agent_chunk_bytes_sent_total";
constexpr char kReceived[] = "docbus_broker_chunk_bytes_received_total";

// Uploads a random file of `size` bytes at G22 and sends it to H41; waits
// for the receipt, downloads the attachment into a file (the client checks
// its SHA-256) and prints the throughput and every process's peak memory.
void SendDownloadAndMeasure(int64_t size) {
  auto d = MakeDeployment({kG22, kH41});
  REQUIRE(d->StartAll().ok());
  const std::filesystem::path file = d->dir() / "dossier.bin";
  const std::string sha256 = WriteRandomFile(file, size);
  std::string unused;
  const auto start = std::chrono::steady_clock::now();
  auto id = SendFile(*d, kG22, MakeDocument({kH41}, 1, 0, &unused), file);
  REQUIRE(id.ok());
  REQUIRE(WaitForReceipts(*d, {{kG22, *id, {kH41}}}, std::chrono::minutes(20)));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  auto doc = d->Get(kH41, "/v1/inbox/" + *id);
  REQUIRE(doc.ok());
  const auto& attachment = (*doc)["attachments"][0];
  CHECK(attachment.value("sha256", "") == Hex(sha256));
  auto client = agent_cli::AgentClient::Find(d->agent_data(kH41));
  REQUIRE(client.ok());
  const std::filesystem::path got = d->dir() / "downloaded.bin";
  const Status downloaded =
      client->Download(attachment.value("href", ""), got, Hex(sha256));
  INFO(downloaded.ToString());
  CHECK(downloaded.ok());
  CHECK(std::filesystem::file_size(got) == static_cast<uintmax_t>(size));
  CHECK(InboxCounts(*d, kH41)[*id] == 1);

  const long broker = PeakRssKiB(d->broker_pid());
  const long sender = PeakRssKiB(d->agent_pid(kG22));
  const long receiver = PeakRssKiB(d->agent_pid(kH41));
  WARN(size / kMiB << " MiB upload to receipt in " << seconds << " s ("
                   << size / kMiB / seconds << " MiB/s); peak RSS broker "
                   << broker / 1024.0 << " MiB, sending agent "
                   << sender / 1024.0 << " MiB, receiving agent "
                   << receiver / 1024.0 << " MiB");
  REQUIRE(broker > 0);
  REQUIRE(sender > 0);
  REQUIRE(receiver > 0);
  CHECK(broker < 100 * 1024);
  CHECK(sender < 100 * 1024);
  CHECK(receiver < 100 * 1024);
}

TEST_CASE(
    "a 200 MiB attachment goes from one agency's system to another's with "
    "the broker and both agents under 100 MiB",
    "[e2e][large]") {
  SendDownloadAndMeasure(200 * kMiB);
}

TEST_CASE(
    "a 1 GiB attachment goes from one agency's system to another's with "
    "the broker and both agents under 100 MiB",
    "[.][1gib]") {
  SendDownloadAndMeasure(1024 * kMiB);
}

// A 200 MiB document whose upload is interrupted by `interrupt` once 50 MiB
// have reached the broker; after it the transfer completes by itself.
// Prints and checks the bytes sent again: `sent` (from the counter of
// whichever process lived through) less the attachment's size.
void CheckUploadSurvives(
    const std::string& what,
    const std::function<void(local::Deployment&)>& interrupt,
    const std::function<double(local::Deployment&)>& sent) {
  const int64_t size = 200 * kMiB;
  auto d = MakeDeployment({kG22, kH41});
  REQUIRE(d->StartAll().ok());
  std::string attachment;
  auto id = SendUploaded(*d, kG22, MakeDocument({kH41}, 1, size, &attachment),
                         attachment);
  REQUIRE(id.ok());
  REQUIRE(local::Deployment::WaitUntil(
      [&] { return BrokerCounter(*d, kReceived) >= 50 * kMiB; },
      std::chrono::seconds(240)));
  interrupt(*d);
  REQUIRE(WaitForReceipts(*d, {{kG22, *id, {kH41}}}, std::chrono::seconds(300)));
  CHECK(InboxCounts(*d, kH41)[*id] == 1);
  const std::string got = InboxAttachment(*d, kH41, *id);
  CHECK(got.size() == attachment.size());
  CHECK(crypto::Sha256(got) == crypto::Sha256(attachment));

  const double again = sent(*d) - static_cast<double>(size);
  WARN("after " << what << ": " << again / kMiB << " MiB of " << size / kMiB
                << " MiB sent again");
  CHECK(again >= 0);
  CHECK(again < 40 * kMiB);
}

TEST_CASE(
    "a kill -9 of the sending agent in the middle of an upload: the upload "
    "goes on from what the broker holds, the document arrives intact once",
    "[e2e][large]") {
  CheckUploadSurvives(
      "the sending agent's kill -9",
      [](local::Deployment& d) {
        d.KillAgent(kG22);
        REQUIRE(d.StartAgent(kG22).ok());
      },
      // The new agent counts only its own chunks; the broker all it took.
      [](local::Deployment& d) { return BrokerCounter(d, kReceived); });
}

TEST_CASE(
    "a kill -9 of the broker in the middle of an upload: the upload goes on "
    "from what the broker had committed, the document arrives intact once",
    "[e2e][large]") {
  CheckUploadSurvives(
      "the broker's kill -9",
      [](local::Deployment& d) {
        d.KillBroker();
        REQUIRE(d.StartBroker().ok());
      },
      [](local::Deployment& d) { return AgentMetric(d, kG22, kSent); });
}

}  // namespace
}  // namespace docbus::e2e
