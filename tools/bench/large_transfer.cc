#include "tools/bench/large_transfer.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "bus/core/ids.h"
#include "tests/support/random_file.h"
#include "tools/agent_client.h"
#include "tools/bench/measure.h"
#include "tools/local/deployment.h"

namespace docbus::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kMiB = 1 << 20;
const std::string kFrom = "000.00.00.G22", kTo = "000.00.00.H41";

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int Fail(const std::string& what, const Status& why) {
  std::cerr << what << ": " << why.ToString() << "\n";
  return 1;
}

}  // namespace

int RunLargeTransfer(const LargeTransferOptions& o) {
  local::DeploymentOptions dopt;
  dopt.agencies = {kFrom, kTo};
  dopt.build_dir = o.build_dir;
  dopt.dir = o.dir;
  dopt.log_level = "warn";
  if (!o.store.empty()) dopt.store_backend = o.store;
  dopt.store_dsn = o.dsn;
  auto created = local::Deployment::Create(dopt);
  if (!created.ok()) return Fail("setup", created.status());
  local::Deployment& d = **created;
  if (Status s = d.StartAll(); !s.ok()) return Fail("start", s);
  auto sender = agent_cli::AgentClient::Find(d.agent_data(kFrom));
  auto recipient = agent_cli::AgentClient::Find(d.agent_data(kTo));
  if (!sender.ok()) return Fail("sending agent", sender.status());
  if (!recipient.ok()) return Fail("receiving agent", recipient.status());

  const std::filesystem::path file = d.dir() / "dossier.bin";
  const std::string sha256 = Hex(testing::WriteRandomFile(file, o.bytes));
  const pid_t pids[] = {d.broker_pid(), d.agent_pid(kFrom), d.agent_pid(kTo)};
  double cpu_before[3];
  for (int i = 0; i < 3; ++i) cpu_before[i] = CpuSeconds(pids[i]);

  const auto start = Clock::now();
  auto uploaded = sender->UploadFile(file);
  if (!uploaded.ok()) return Fail("upload", uploaded.status());
  const double upload_s = Since(start);
  nlohmann::json doc = {
      {"to", {kTo}},
      {"subject", "Hồ sơ kèm theo (docbus-bench)"},
      {"code", {{"number", "1"}, {"notation", "BENCH"}}},
      {"attachments",
       {{{"name", "dossier.bin"},
         {"attachment_id", uploaded->value("attachment_id", "")}}}}};
  auto answer = sender->Post("/v1/documents", doc);
  if (!answer.ok()) return Fail("submit", answer.status());
  const std::string id = answer->value("message_id", "");
  const auto sent = Clock::now();
  while (true) {
    auto view = sender->Get("/v1/documents/" + id);
    if (view.ok() && !view->value("receipts", nlohmann::json::array()).empty())
      break;
    if (view.ok() && view->value("state", "") == "rejected") {
      return Fail("send", Status(Code::kFailedPrecondition,
                                 view->value("detail", "rejected")));
    }
    if (Since(start) > 3600) {
      return Fail("send", Status(Code::kUnavailable, "no receipt in 1 h"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double relay_s = Since(sent);
  const auto fetched = Clock::now();
  const std::filesystem::path got = d.dir() / "downloaded.bin";
  const Status downloaded = recipient->Download(
      "/v1/inbox/" + id + "/attachments/0", got, sha256);
  if (!downloaded.ok()) return Fail("download", downloaded);
  const double download_s = Since(fetched), total_s = Since(start);

  const double mib = static_cast<double>(o.bytes) / kMiB;
  std::printf(
      "one document with a %.0f MiB attachment, %s store, SHA-256 checked "
      "after the download\n"
      "  upload to the sending agent  %7.2f s  %7.1f MiB/s\n"
      "  submit to the receipt        %7.2f s  %7.1f MiB/s (agent -> broker "
      "-> agent, in 1 MiB chunks)\n"
      "  download from the recipient  %7.2f s  %7.1f MiB/s\n"
      "  end to end                   %7.2f s  %7.1f MiB/s\n",
      mib, o.store.empty() ? "sqlite" : o.store.c_str(), upload_s,
      mib / upload_s, relay_s, mib / relay_s, download_s, mib / download_s,
      total_s, mib / total_s);
  const char* names[] = {"broker", "sending agent", "receiving agent"};
  for (int i = 0; i < 3; ++i) {
    std::printf("  %-16s peak RSS %7.1f MiB  CPU %6.2f s\n", names[i],
                RssKiB(pids[i], "VmHWM:") / 1024.0,
                CpuSeconds(pids[i]) - cpu_before[i]);
  }
  std::error_code ec;
  std::filesystem::remove(file, ec);
  std::filesystem::remove(got, ec);
  return 0;
}

}  // namespace docbus::bench
