// docbus-bench: drives N documents of S bytes between agencies through a real
// broker and real agents on this machine (durable everywhere), the way agency
// systems do (the agents' HTTP API), and prints documents/s end to end with
// receipts, p50/p99 submit→accepted and submit→receipt latency, and the peak
// RSS and CPU time per document of every process. Each submitting thread
// waits for the broker's answer (`Prefer: wait`) as the RabbitMQ baseline's
// publishers wait for their confirms, and times submit→accepted itself; the
// receipt's time is the sender agent's (whole milliseconds). --offline
// queues N documents for an agency that is not running.
//
//   docbus-bench --documents 20000 --size 4096 [--rate 1000] [--multipart]
//   docbus-bench --documents 100000 --offline   (broker memory)
//   docbus-bench --documents 8000 --rabbitmq amqp://guest:guest@127.0.0.1:5672
//   docbus-bench --documents 3000 --store sqlite,postgresql
//   docbus-bench --verify-floor [--documents 20000]   (verify_floor.h)
//   docbus-bench --attachment-size 1GiB   (large_transfer.h: each leg's MiB/s)
// --store runs the same load once per broker store backend and ends with the
// figures side by side. postgresql uses --pg-dsn, or else a throwaway local
// cluster (tests/support/pg_cluster.h) started for the run. The broker's CPU
// per document does not include the PostgreSQL server's.
#include <httplib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <thread>

#include "tools/agent_client.h"
#include "tools/bench/large_transfer.h"
#include "tools/bench/load_client.h"
#include "tools/bench/measure.h"
#include "tools/bench/submit_load.h"
#include "tools/bench/verify_floor.h"
#ifdef DOCBUS_BENCH_RABBITMQ
#include "tools/bench/rabbitmq_baseline.h"
#endif
#include "tests/support/pg_cluster.h"
#include "tools/local/deployment.h"

namespace docbus {
namespace {

using Clock = std::chrono::steady_clock;
using bench::CpuSeconds;
using bench::OwnCpuSeconds;
using bench::Percentile;
using bench::RssKiB;

struct Options {
  int documents = 20000;
  int size = 4096;
  int threads = 8;
  double rate = 0;  // documents/s; 0 = as fast as the bus takes them
  bool offline = false;
  bool multipart = false;  // attachment bytes as a multipart part, not base64
  std::string rabbitmq;    // amqp:// URL: run the same load through it too
  std::string build_dir = "build";
  std::string dir;
  std::vector<std::string> stores{"sqlite"};  // broker store backends, in order
  std::string pg_dsn;  // postgresql: this database, else a throwaway cluster
  std::string attachment_size;  // one large document instead ("1GiB")
  std::optional<bench::SignatureFloor> floor;  // --verify-floor: each run against it
};

// One run's headline figures, for the side-by-side summary.
struct Figures {
  bool ok = false;
  double per_second = 0, accepted_p50 = 0, accepted_p99 = 0, broker_cpu_ms = 0;
};

using Agent = bench::AgentApi;

// The agent's API URL and token, found the way the CLI finds them.
Result<Agent> Connect(local::Deployment& d, const std::string& agency) {
  DOCBUS_ASSIGN_OR_RETURN(agent_cli::AgentClient client,
                          agent_cli::AgentClient::Find(d.agent_data(agency)));
  return Agent{agency, client.url(), client.token()};
}

// The value of an unlabelled counter in the agent's /metrics (-1 if absent).
double Counter(httplib::Client& client, const Agent& a, const std::string& name) {
  auto res = client.Get("/metrics", {{"Authorization", "Bearer " + a.token}});
  if (!res || res->status != 200) return -1;
  const size_t at = res->body.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::atof(res->body.c_str() + at + name.size() + 2);
}

// The sender agent's view of one document (null when unreadable).
nlohmann::json View(httplib::Client& client, const Agent& a, const std::string& id) {
  auto res = client.Get(("/v1/documents/" + id).c_str(),
                        {{"Authorization", "Bearer " + a.token}});
  if (!res || res->status != 200) return nullptr;
  return nlohmann::json::parse(res->body, nullptr, false);
}

// Runs the same load through RabbitMQ (rabbitmq_baseline.h) and prints its
// figures beside docbus's.
bool Baseline(const Options& o, double per_second, double accepted_p99_ms) {
#ifdef DOCBUS_BENCH_RABBITMQ
  const bench::BaselineLoad load{o.documents, o.size, o.threads, o.rate};
  Result<bench::BaselineFigures> f =
      bench::RunRabbitMqBaseline(o.rabbitmq, load);
  if (!f.ok()) {
    std::cerr << "RabbitMQ baseline: " << f.status().ToString() << "\n";
    return false;
  }
  std::printf(
      "RabbitMQ durable queue, same load (persistent, publisher confirms,\n"
      "consumer acks; one hop, no signatures, no receipts):\n"
      "  end to end: %.0f messages/s (first publish to last consumer ack),\n"
      "  %zu consumed\n"
      "  publish->confirm ms: p50 %.1f p99 %.1f\n"
      "  CPU ms per message: server %.3f, this client %.3f\n"
      "docbus / RabbitMQ: throughput %.2f,\n"
      "  p99 submit->accepted / p99 publish->confirm %.1f\n",
      f->per_second, f->consumed, f->confirm_p50_ms, f->confirm_p99_ms,
      f->server_cpu_ms, f->client_cpu_ms,
      per_second / std::max(f->per_second, 1e-9),
      accepted_p99_ms / std::max(f->confirm_p99_ms, 1e-9));
  return true;
#else
  (void)per_second;
  (void)accepted_p99_ms;
  std::cerr << "--rabbitmq " << o.rabbitmq
            << ": this docbus-bench was built without librabbitmq-dev\n";
  return false;
#endif
}

Figures Run(const Options& o, const std::string& store, const std::string& dsn) {
  Figures figures;
  std::vector<std::string> agencies{"000.00.00.G22", "000.00.00.H41"};
  if (o.offline) agencies = {"000.00.00.G22", "000.00.00.H99"};
  local::DeploymentOptions dopt;
  dopt.agencies = agencies;
  dopt.build_dir = o.build_dir;
  dopt.dir = o.dir;
  dopt.checkpoint_interval_ms = 1000;
  dopt.log_level = "warn";
  dopt.store_backend = store;
  dopt.store_dsn = dsn;
  auto d = local::Deployment::Create(dopt);
  if (!d.ok()) {
    std::cerr << "setup: " << d.status().ToString() << "\n";
    return figures;
  }
  local::Deployment& dep = **d;
  if (!dep.StartBroker().ok() || !dep.StartAgent(agencies[0]).ok() ||
      (!o.offline && !dep.StartAgent(agencies[1]).ok())) {
    std::cerr << "cannot start the daemons (logs in " << dep.dir() << ")\n";
    return figures;
  }
  std::vector<Agent> agents;
  for (size_t i = 0; i < (o.offline ? size_t{1} : agencies.size()); ++i) {
    Result<Agent> agent = Connect(dep, agencies[i]);
    if (!agent.ok()) {
      std::cerr << "agent " << agencies[i] << ": " << agent.status().ToString() << "\n";
      return figures;
    }
    agents.push_back(std::move(*agent));
  }
  std::vector<pid_t> pids{dep.broker_pid()};
  for (const auto& a : agents) pids.push_back(dep.agent_pid(a.id));
  std::vector<double> cpu_before;
  for (pid_t pid : pids) cpu_before.push_back(CpuSeconds(pid));
  const double own_cpu_before = OwnCpuSeconds();

  std::vector<std::vector<std::vector<std::string>>> ids(
      o.threads, std::vector<std::vector<std::string>>(agents.size()));
  std::vector<std::vector<double>> accepted_per_thread(o.threads);
  bench::SubmitCounts counts;
  std::atomic<int>& failures = counts.failures;
  const bench::SubmitLoad load{o.size, o.rate, o.offline, o.multipart};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      bench::SendRange(agents, t, o.documents, o.threads, load, start, ids[t],
                       accepted_per_thread[t], counts);
    });
  }
  for (auto& t : threads) t.join();
  std::vector<double> accepted_ms;
  for (const auto& v : accepted_per_thread) accepted_ms.insert(accepted_ms.end(), v.begin(), v.end());
  const double submit_s =
      std::chrono::duration<double>(Clock::now() - start).count();

  // Wait until every sender agent counts as many receipts (acceptances when
  // offline) as documents it took, then read each document's view once.
  std::vector<std::unique_ptr<httplib::Client>> readers;
  for (const auto& a : agents) {
    readers.push_back(std::make_unique<httplib::Client>(a.url));
    readers.back()->set_keep_alive(true);
    readers.back()->set_tcp_nodelay(true);
  }
  const std::string counter =
      o.offline ? "docbus_agent_accepted_total" : "docbus_agent_receipts_received_total";
  const auto deadline = Clock::now() + std::chrono::minutes(10);
  for (size_t a = 0; a < agents.size(); ++a) {
    size_t sent = 0;
    for (const auto& per_thread : ids) sent += per_thread[a].size();
    while (Counter(*readers[a], agents[a], counter) < static_cast<double>(sent) &&
           Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  std::vector<double> cpu_used;
  for (size_t i = 0; i < pids.size(); ++i) cpu_used.push_back(CpuSeconds(pids[i]) - cpu_before[i]);
  const double own_cpu_used = OwnCpuSeconds() - own_cpu_before;

  struct Pending {
    size_t agent;
    std::string id;
  };
  std::vector<Pending> pending;
  for (const auto& per_thread : ids) {
    for (size_t a = 0; a < per_thread.size(); ++a) {
      for (const auto& id : per_thread[a]) pending.push_back({a, id});
    }
  }
  size_t done = 0;
  std::vector<double> receipt_ms;
  int64_t first_submit = INT64_MAX, last_receipt = 0, last_accept = 0;
  while (!pending.empty() && Clock::now() < deadline) {
    std::vector<Pending> still;
    for (const auto& p : pending) {
      const nlohmann::json v = View(*readers[p.agent], agents[p.agent], p.id);
      if (!v.is_object() || v.value("state", "") != "accepted") {
        still.push_back(p);
        continue;
      }
      const int64_t submitted = v.value("submitted_unix_ms", int64_t{0});
      const int64_t accepted = v.value("accepted_unix_ms", int64_t{0});
      int64_t arrived = 0;
      if (!o.offline) {
        if (!v.contains("receipts") || v["receipts"].empty()) {
          still.push_back(p);
          continue;
        }
        arrived = v["receipts"][0].value("arrived_unix_ms", int64_t{0});
        last_receipt = std::max(last_receipt, arrived);
        receipt_ms.push_back(static_cast<double>(arrived - submitted));
      }
      first_submit = std::min(first_submit, submitted);
      last_accept = std::max(last_accept, accepted);
      ++done;
    }
    pending.swap(still);
    if (!pending.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }

  std::printf("broker store: %s\n", store.c_str());
  std::printf("documents: %d of %d bytes (%s), %d rejected by the API, %zu completed\n",
              o.documents, o.size, o.offline ? "recipient offline" : "with receipts",
              failures.load(), done);
  if (o.rate > 0) std::printf("offered rate: %.0f documents/s\n", o.rate);
  std::printf("answers: %d 503 overloaded (retried after 1 s), %d without the wait (polled)\n",
              counts.overloaded.load(), counts.unwaited.load());
  std::printf("submit phase: %.2f s (%.0f submissions/s)\n", submit_s, o.documents / submit_s);
  const int64_t end = o.offline ? last_accept : last_receipt;
  const double per_second =
      end > first_submit ? done * 1000.0 / (end - first_submit) : 0;
  if (end > first_submit) {
    std::printf("end to end: %.0f documents/s (first submit to last %s)\n",
                per_second, o.offline ? "acceptance" : "receipt");
  }
  std::printf("submit->accepted ms: p50 %.2f p99 %.2f\n", Percentile(accepted_ms, 0.5),
              Percentile(accepted_ms, 0.99));
  if (!o.offline) {
    std::printf("submit->receipt  ms: p50 %.1f p99 %.1f\n", Percentile(receipt_ms, 0.5),
                Percentile(receipt_ms, 0.99));
  }
  std::printf("peak RSS MiB: broker %.1f (now %.1f)", RssKiB(dep.broker_pid(), "VmHWM:") / 1024.0,
              RssKiB(dep.broker_pid(), "VmRSS:") / 1024.0);
  for (const auto& a : agents) {
    std::printf(", agent %s %.1f", a.id.c_str(), RssKiB(dep.agent_pid(a.id), "VmHWM:") / 1024.0);
  }
  std::printf("\nCPU ms per document: broker %.3f", cpu_used[0] * 1000 / std::max<size_t>(done, 1));
  for (size_t a = 0; a < agents.size(); ++a) {
    std::printf(", agent %s %.3f", agents[a].id.c_str(),
                cpu_used[a + 1] * 1000 / std::max<size_t>(done, 1));
  }
  std::printf(", this load generator %.3f\n",
              own_cpu_used * 1000 / std::max<size_t>(done, 1));
  const Status stopped = dep.StopAll();
  const bool ok =
      done + failures >= static_cast<size_t>(o.documents) && stopped.ok();
  figures.per_second = per_second;
  figures.accepted_p50 = Percentile(accepted_ms, 0.5);
  figures.accepted_p99 = Percentile(accepted_ms, 0.99);
  figures.broker_cpu_ms = cpu_used[0] * 1000 / std::max<size_t>(done, 1);
  figures.ok = ok;
  if (!o.rabbitmq.empty() && !o.offline) {
    figures.ok = Baseline(o, per_second, figures.accepted_p99) && ok;
  }
  return figures;
}

// Runs the load once per store backend; with more than one, prints their
// figures side by side.
// postgresql's database: --pg-dsn, or a new one of a throwaway cluster
// (started once, in *cluster).
Result<std::string> PostgresDsn(const Options& o,
                                std::unique_ptr<testing::PgCluster>* cluster) {
  if (!o.pg_dsn.empty()) return o.pg_dsn;
  if (*cluster == nullptr) {
    DOCBUS_ASSIGN_OR_RETURN(*cluster, testing::PgCluster::Start());
  }
  return (*cluster)->CreateDatabase();
}

// "1GiB", "200MiB", "64KiB" or a number of bytes; 0 when it does not parse.
uint64_t ParseSize(const std::string& text) {
  size_t end = 0;
  uint64_t n = 0;
  try {
    n = std::stoull(text, &end);
  } catch (...) {
    return 0;
  }
  const std::string unit = text.substr(end);
  if (unit.empty() || unit == "B") return n;
  if (unit == "KiB") return n << 10;
  if (unit == "MiB") return n << 20;
  if (unit == "GiB") return n << 30;
  return 0;
}

int RunLargeTransfer(const Options& o) {
  bench::LargeTransferOptions lo;
  lo.bytes = ParseSize(o.attachment_size);
  if (lo.bytes == 0) {
    std::cerr << "--attachment-size: give bytes, or a number with KiB, MiB "
                 "or GiB (e.g. 1GiB)\n";
    return 2;
  }
  lo.build_dir = o.build_dir;
  lo.dir = o.dir;
  lo.store = o.stores.front();
  std::unique_ptr<testing::PgCluster> cluster;
  if (lo.store == "postgresql") {
    Result<std::string> dsn = PostgresDsn(o, &cluster);
    if (!dsn.ok()) {
      std::cerr << "postgresql: " << dsn.status().ToString() << "\n";
      return 1;
    }
    lo.dsn = *dsn;
  }
  return bench::RunLargeTransfer(lo);
}

int RunAll(const Options& o) {
  std::unique_ptr<testing::PgCluster> cluster;
  std::vector<std::pair<std::string, Figures>> runs;
  bool ok = true;
  for (const auto& store : o.stores) {
    std::string dsn;
    if (store == "postgresql") {
      Result<std::string> created = PostgresDsn(o, &cluster);
      if (!created.ok()) {
        std::cerr << "postgresql: " << created.status().ToString() << "\n";
        return 1;
      }
      dsn = *created;
    } else if (store != "sqlite") {
      std::cerr << "--store: unknown backend " << store << "\n";
      return 1;
    }
    if (!runs.empty()) std::printf("\n");
    runs.emplace_back(store, Run(o, store, dsn));
    ok = ok && runs.back().second.ok;
    if (o.floor) bench::PrintShareOfSignatureLimit(*o.floor, runs.back().second.per_second);
  }
  if (runs.size() > 1) {
    std::printf("\n%-11s %12s %18s %18s %16s\n", "store", "documents/s",
                "accepted p50 ms", "accepted p99 ms", "broker CPU ms");
    for (const auto& [store, f] : runs) {
      std::printf("%-11s %12.0f %18.1f %18.1f %16.3f%s\n", store.c_str(), f.per_second,
                  f.accepted_p50, f.accepted_p99, f.broker_cpu_ms, f.ok ? "" : "  (failed)");
    }
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace docbus

int main(int argc, char** argv) {
  docbus::Options o;
  CLI::App app{"docbus-bench: documents/s, latency and memory through a real broker"};
  auto* documents = app.add_option("--documents", o.documents, "documents to send")->check(CLI::PositiveNumber);
  bool verify_floor = false;
  app.add_flag("--verify-floor", verify_floor, "first measure raw ECDSA and docbus sign/verify (alone unless --documents)");
  app.add_option("--size", o.size, "attachment bytes per document")->check(CLI::Range(1, 16 << 20));
  app.add_option("--threads", o.threads, "submitting threads")->check(CLI::Range(1, 64));
  app.add_option("--rate", o.rate, "offered documents/s (default: unthrottled)");
  app.add_flag("--offline", o.offline, "queue everything for an agency that is not running");
  app.add_flag("--multipart", o.multipart,
               "send attachment bytes as multipart parts instead of base64 JSON");
  app.add_option("--build-dir", o.build_dir, "where docbus was built");
  app.add_option("--dir", o.dir, "keep the deployment here (default: a temporary folder)");
  app.add_option(
      "--rabbitmq", o.rabbitmq,
      "then run the same load through a durable queue of this RabbitMQ "
      "(amqp://guest:guest@127.0.0.1:5672) and print the ratios");
  app.add_option("--store", o.stores,
                 "broker store backends to run, in order: sqlite, postgresql "
                 "(e.g. --store sqlite,postgresql)")
      ->delimiter(',');
  app.add_option("--pg-dsn", o.pg_dsn,
                 "postgresql: use this database (default: a throwaway local cluster)");
  app.add_option("--attachment-size", o.attachment_size,
                 "move one document with one attachment of this size (e.g. "
                 "200MiB, 1GiB) and print MiB/s and peak RSS per process");
  CLI11_PARSE(app, argc, argv);
  if (!o.attachment_size.empty()) return docbus::RunLargeTransfer(o);
  if (verify_floor) {
    auto floor = docbus::bench::MeasureSignatureFloor();
    if (!floor.ok()) std::cerr << "--verify-floor: " << floor.status().ToString() << "\n";
    if (!floor.ok() || documents->count() == 0) return floor.ok() ? 0 : 1;
    o.floor = *floor;
  }
  return docbus::RunAll(o);
}
