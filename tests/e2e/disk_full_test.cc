// A daemon whose data folder is nearly full (a 64 MiB tmpfs mounted as the
// data folder, filled with a file to below limits.min_free_bytes) refuses
// new work with resource_exhausted, keeps delivering what it stored (with
// receipts), loses nothing it acknowledged, and takes new work again once
// the filler is removed, without a restart. Once for the broker, once for an
// agent. Mounting needs root (the test machine runs tests as root); without
// it the test says so and does nothing.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>

#include "bus/core/disk_space.h"
#include "tests/e2e/agent_http.h"
#include "tests/e2e/e2e_support.h"

namespace docbus::e2e {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kMinFree = 8 * kMiB;   // the daemons' limits.min_free_bytes
constexpr int64_t kLeftFree = 4 * kMiB;  // what the filler leaves
constexpr auto kPatience = std::chrono::seconds(60);

// A tmpfs mounted on a folder for the life of the object; what the folder
// held before is copied onto it. Unmounted (lazily, so a daemon still
// running cannot keep it) in every case.
class TmpfsMount {
 public:
  // nullptr with *why set when mounting is not possible here.
  static std::unique_ptr<TmpfsMount> Try(const fs::path& dir,
                                         std::string* why) {
    const fs::path saved = dir.string() + ".before-mount";
    fs::rename(dir, saved);
    fs::create_directories(dir);
    if (mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64m,mode=0700") != 0) {
      *why = std::string("mount -t tmpfs failed (") + std::strerror(errno) +
             "): this test needs root";
      fs::remove(dir);
      fs::rename(saved, dir);
      return nullptr;
    }
    fs::copy(saved, dir, fs::copy_options::recursive);
    fs::remove_all(saved);
    return std::unique_ptr<TmpfsMount>(new TmpfsMount(dir));
  }
  ~TmpfsMount() { umount2(dir_.c_str(), MNT_DETACH); }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  // Fills the file system to `left` bytes free with one file.
  void Fill(int64_t left) {
    Result<DiskReading> r = StatvfsProbe(dir_);
    REQUIRE(r.ok());
    REQUIRE(r->free_bytes > left);
    const int fd = open(filler().c_str(), O_CREAT | O_WRONLY, 0600);
    REQUIRE(fd >= 0);
    const int rc = posix_fallocate(fd, 0, r->free_bytes - left);
    close(fd);
    REQUIRE(rc == 0);
    REQUIRE(StatvfsProbe(dir_)->free_bytes < kMinFree);
  }
  void Empty() { fs::remove(filler()); }

 private:
  explicit TmpfsMount(fs::path dir) : dir_(std::move(dir)) {}
  fs::path filler() const { return dir_ / "filler.bin"; }
  fs::path dir_;
};

local::DeploymentOptions WithMinFree() {
  local::DeploymentOptions o;
  o.min_free_bytes = kMinFree;
  return o;
}

double BrokerSeries(local::Deployment& d, const std::string& series) {
  auto page = d.BrokerMetrics();
  return page.ok() ? MetricValue(*page, series) : -1;
}

TEST_CASE(
    "a broker with a nearly full disk refuses new documents resource_"
    "exhausted, still delivers what it holds, and recovers when space "
    "returns",
    "[e2e][disk]") {
  auto d = MakeDeployment({kG22, kH41}, WithMinFree());
  std::string why;
  auto disk = TmpfsMount::Try(d->broker_data(), &why);
  if (disk == nullptr) {
    WARN("skipped: " << why);
    return;
  }
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kG22).ok());

  // Stored by the broker while H41 is away.
  std::string first_bytes;
  auto first = d->Send(kG22, MakeDocument({kH41}, 1, 3000, &first_bytes));
  REQUIRE(first.ok());
  REQUIRE(local::Deployment::WaitUntil(
      [&] { return StateAt(*d, kG22, *first) == "accepted"; }, kPatience));

  disk->Fill(kLeftFree);
  // Once the broker has seen it (it reads the file system about once a
  // second).
  REQUIRE(local::Deployment::WaitUntil(
      [&] { return BrokerSeries(*d, "docbus_broker_disk_exhausted") == 1; },
      kPatience));
  std::string second_bytes;
  auto second = d->Send(kG22, MakeDocument({kH41}, 2, 3000, &second_bytes));
  REQUIRE(second.ok());  // the agent has room: it keeps it pending
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        return BrokerSeries(*d,
                            "docbus_broker_disk_refusals_total{kind="
                            "\"document\"}") >= 1;
      },
      kPatience));
  // The refusal is transient: the agent keeps the document pending.
  const fs::path agent_log = d->dir() / ("agent-" + kG22 + ".log");
  REQUIRE(local::Deployment::WaitUntil(
      [&] { return LinesContaining(agent_log, *second) > 1; }, kPatience));
  CHECK(StateAt(*d, kG22, *second) == "pending");
  auto status = d->BrokerStatus();
  REQUIRE(status.ok());
  CHECK((*status)["data"].value("exhausted", false));
  int code = 0;
  auto printed = d->RunDocbus(
      "status --broker '" + d->broker_data().string() + "'", &code);
  REQUIRE(printed.ok());
  CHECK(printed->find("refusing new submissions") != std::string::npos);
  CHECK(LinesContaining(d->broker_log(), "refusing new submissions") == 1);

  // What the broker holds is still delivered, and the receipt comes back.
  REQUIRE(d->StartAgent(kH41).ok());
  REQUIRE(WaitForReceipts(*d, {{kG22, *first, {kH41}}}, kPatience));
  CHECK(InboxAttachment(*d, kH41, *first) == first_bytes);
  CHECK(StateAt(*d, kG22, *second) == "pending");

  // Space returns: the waiting document goes through, no restart.
  disk->Empty();
  REQUIRE(WaitForReceipts(*d, {{kG22, *second, {kH41}}}, kPatience));
  CHECK(InboxAttachment(*d, kH41, *second) == second_bytes);
  const auto inbox = InboxCounts(*d, kH41);
  CHECK(inbox.size() == 2);
  CHECK(BrokerSeries(*d, "docbus_broker_disk_exhausted") == 0);
  CHECK(LinesContaining(d->broker_log(), "free again") == 1);
  REQUIRE(d->StopAll().ok());
}

TEST_CASE(
    "an agent with a nearly full disk answers new submissions 507 "
    "resource_exhausted, still sends what its outbox holds and takes its "
    "receipts, and recovers when space returns",
    "[e2e][disk]") {
  auto d = MakeDeployment({kG22, kH41}, WithMinFree());
  std::string why;
  auto disk = TmpfsMount::Try(d->agent_data(kG22), &why);
  if (disk == nullptr) {
    WARN("skipped: " << why);
    return;
  }
  REQUIRE(d->StartAgent(kG22).ok());
  REQUIRE(d->StartAgent(kH41).ok());

  // Committed to G22's outbox while there is no broker to take it.
  std::string first_bytes;
  auto first = d->Send(kG22, MakeDocument({kH41}, 1, 3000, &first_bytes));
  REQUIRE(first.ok());

  disk->Fill(kLeftFree);
  // Once the agent has seen it (it reads the file system about once a
  // second), a new submission is refused.
  REQUIRE(local::Deployment::WaitUntil(
      [&] { return AgentMetric(*d, kG22, "docbus_agent_disk_exhausted") == 1; },
      kPatience));
  std::string unused;
  const std::string body = MakeDocument({kH41}, 2, 3000, &unused).dump();
  const AgentAnswer refused =
      CallAgent(*d, kG22, "POST", "/v1/documents", body);
  INFO(refused.body);
  REQUIRE(refused.status == 507);
  const auto error = nlohmann::json::parse(refused.body);
  CHECK(error.value("error", "") == "resource_exhausted");
  CHECK(error.value("detail", "")
            .find("below limits.min_free_bytes = " +
                  std::to_string(kMinFree)) != std::string::npos);
  // Nothing was stored for the refused one.
  auto outgoing = d->Get(kG22, "/v1/documents");
  REQUIRE(outgoing.ok());
  CHECK((*outgoing)["documents"].size() == 1);
  CHECK(AgentMetric(*d, kG22, "docbus_agent_disk_refusals_total") >= 1);

  // What the outbox holds still goes out, and its receipt is stored.
  REQUIRE(d->StartBroker().ok());
  REQUIRE(WaitForReceipts(*d, {{kG22, *first, {kH41}}}, kPatience));
  CHECK(InboxAttachment(*d, kH41, *first) == first_bytes);
  // ...and a document for G22 still arrives.
  auto back = d->Send(kH41, MakeDocument({kG22}, 3, 1000, &unused));
  REQUIRE(back.ok());
  REQUIRE(local::Deployment::WaitUntil(
      [&] { return InboxCounts(*d, kG22).count(*back) == 1; }, kPatience));
  CHECK(AgentMetric(*d, kG22, "docbus_agent_disk_exhausted") == 1);

  disk->Empty();
  AgentAnswer accepted;
  REQUIRE(local::Deployment::WaitUntil(
      [&] {
        accepted = CallAgent(*d, kG22, "POST", "/v1/documents", body);
        return accepted.status == 202;
      },
      kPatience));
  const std::string id =
      nlohmann::json::parse(accepted.body).value("message_id", "");
  REQUIRE(WaitForReceipts(*d, {{kG22, id, {kH41}}}, kPatience));
  const fs::path agent_log = d->dir() / ("agent-" + kG22 + ".log");
  CHECK(LinesContaining(agent_log, "refusing new submissions") == 1);
  REQUIRE(d->StopAll().ok());
}

}  // namespace
}  // namespace docbus::e2e
