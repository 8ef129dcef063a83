// The docbus-broker executable: configuration problems name their key and
// exit 2, a tampered log exits 3, a second broker on the same data folder
// exits 1, SIGHUP reloads the registry and the CRL, SIGTERM is a clean exit 0
// that removes endpoints.json, and /metrics, /healthz, /v1/status and the
// dashboard answer on loopback.
#include <httplib.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/broker/broker_fixture.h"

namespace docbus::broker::test {
namespace {

namespace fs = std::filesystem;

const fs::path kBroker =
    fs::path(DOCBUS_BINARY_DIR) / "bus/broker/docbus-broker";

// A running docbus-broker whose stderr we read line by line.
class Daemon {
 public:
  explicit Daemon(const fs::path& config) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(fds[1], STDERR_FILENO);
      close(fds[0]);
      close(fds[1]);
      execl(kBroker.c_str(), kBroker.c_str(), "--config", config.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    err_ = fdopen(fds[0], "r");
  }
  ~Daemon() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
    if (err_ != nullptr) fclose(err_);
  }
  // Reads stderr until a line contains `text` (true) or the pipe closes.
  bool WaitForLine(const std::string& text) {
    char line[4096];
    while (fgets(line, sizeof line, err_) != nullptr) {
      output_ += line;
      if (std::string(line).find(text) != std::string::npos) return true;
    }
    return false;
  }
  int Wait() {
    int status = 0;
    REQUIRE(waitpid(pid_, &status, 0) == pid_);
    exited_ = true;
    char line[4096];
    while (fgets(line, sizeof line, err_) != nullptr) output_ += line;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  void Signal(int sig) { kill(pid_, sig); }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  FILE* err_ = nullptr;
  bool exited_ = false;
  std::string output_;
};

std::string Config(const fs::path& data_dir, const std::string& extra = "") {
  const pki::PkiPaths& pki = TestPki();
  std::ostringstream c;
  c << "[broker]\nlisten = \"tcp://127.0.0.1:*\"\ndata_dir = \""
    << data_dir.string() << "\"\ncurve_secret_key = \""
    << pki.broker_curve_secret().string() << "\"\n"
    << "[pki]\nroot_certificate = \"" << pki.root_certificate().string()
    << "\"\n"
    << "crl = \"" << pki.crl().string() << "\"\nregistry = \""
    << pki.registry().string() << "\"\n[audit]\norigin = \"" << kOrigin
    << "\"\nlog_key = \"" << LogKeyFile().string()
    << "\"\n[http]\nlisten = \"127.0.0.1:0\"\n[log]\nlevel = \"info\"\n"
    << extra;
  return c.str();
}

fs::path WriteConfig(const TempDir& dir, const std::string& text) {
  const fs::path file = dir.path() / "broker.toml";
  std::ofstream(file) << text;
  return file;
}

TEST_CASE("docbus-broker refuses a bad config naming the key, exit 2",
          "[broker]") {
  TempDir dir;
  const std::string bad =
      GENERATE(as<std::string>{}, "[limits]\nmax_frame_bytes = 12\n",
               // Below 2 MiB a chunk would not fit in a frame.
               "[limits]\nmax_frame_bytes = 1048576\n",
               "[delivery]\nretransmit_msec = 5\n",
               "[audit]\ncheckpoint_interval_ms = \"soon\"\n");
  // The [audit] case reopens a table: write the key into the existing one.
  std::string text = Config(dir.path() / "data");
  std::string key;
  if (bad.rfind("[audit]", 0) == 0) {
    text.insert(text.find("[http]"), "checkpoint_interval_ms = \"soon\"\n");
    key = "audit.checkpoint_interval_ms";
  } else {
    text += bad;
    key = bad.find("max_frame") != std::string::npos
              ? "limits.max_frame_bytes"
              : "delivery.retransmit_msec";
  }
  Daemon daemon(WriteConfig(dir, text));
  CHECK(daemon.Wait() == 2);
  INFO(daemon.output());
  CHECK(daemon.output().find(key) != std::string::npos);
}

TEST_CASE("docbus-broker refuses a bad store backend or dsn naming the key, exit 2",
          "[broker]") {
  TempDir dir;
  const auto [store, key] = GENERATE(table<std::string, std::string>({
      {"[store]\nbackend = \"mysql\"\n", "store.backend"},
      {"[store]\nbackend = \"postgresql\"\n", "store.dsn"},
      {"[store]\nbackend = \"postgresql\"\ndsn = \"host=x port\"\n",
       "store.dsn"},
      {"[store]\ndsn = \"host=127.0.0.1\"\n", "store.dsn"},
  }));
  Daemon daemon(WriteConfig(dir, Config(dir.path() / "data", store)));
  CHECK(daemon.Wait() == 2);
  INFO(daemon.output());
  CHECK(daemon.output().find(key) != std::string::npos);
}

TEST_CASE(
    "docbus-broker on an unreachable PostgreSQL exits 1 naming its host and "
    "port, never the password",
    "[broker]") {
  TempDir dir;
  Daemon daemon(WriteConfig(
      dir, Config(dir.path() / "data",
                  "[store]\nbackend = \"postgresql\"\n"
                  "dsn = \"host=127.0.0.1 port=1 dbname=docbus "
                  "password=s3cret-pw connect_timeout=5\"\n")));
  CHECK(daemon.Wait() == 1);
  INFO(daemon.output());
  CHECK(daemon.output().find("host 127.0.0.1 port 1") != std::string::npos);
  CHECK(daemon.output().find("s3cret-pw") == std::string::npos);
}

TEST_CASE("docbus-broker serves its status over HTTP and exits 0 on SIGTERM",
          "[broker]") {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  Daemon daemon(WriteConfig(dir, Config(data)));
  REQUIRE(daemon.WaitForLine("broker listening"));
  std::ifstream in(data / "endpoints.json");
  const nlohmann::json endpoints = nlohmann::json::parse(in);
  CHECK(endpoints.value("zmq", "").rfind("tcp://127.0.0.1:", 0) == 0);
  httplib::Client http(endpoints.value("http", ""));
  auto healthz = http.Get("/healthz");
  REQUIRE(healthz);
  CHECK(healthz->status == 200);
  auto metrics = http.Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("docbus_broker_connected_agencies") !=
        std::string::npos);
  auto status = http.Get("/v1/status");
  REQUIRE(status);
  const nlohmann::json doc = nlohmann::json::parse(status->body);
  CHECK(doc.at("log_origin") == kOrigin);
  CHECK(doc.at("queue_depth") == 0);

  // The dashboard: a page whose only script is the broker's own, which reads
  // /v1/status; the browser may load nothing from anywhere else.
  auto page = http.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->get_header_value("Content-Type").rfind("text/html", 0) == 0);
  CHECK(page->body.find("<script src=\"/dashboard.js\"></script>") !=
        std::string::npos);
  CHECK(page->get_header_value("Content-Security-Policy")
            .find("default-src 'none'") != std::string::npos);
  auto script = http.Get("/dashboard.js");
  REQUIRE(script);
  CHECK(script->status == 200);
  CHECK(script->get_header_value("Content-Type").rfind("text/javascript", 0) ==
        0);
  CHECK(script->body.find("fetch(\"/v1/status\"") != std::string::npos);
  CHECK(script->body.find("innerHTML") == std::string::npos);

  daemon.Signal(SIGTERM);
  CHECK(daemon.Wait() == 0);
  CHECK_FALSE(fs::exists(data / "endpoints.json"));
  CHECK(fs::exists(data / "log/checkpoint"));
}

TEST_CASE("a second docbus-broker on the same data folder is refused",
          "[broker]") {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  const fs::path config = WriteConfig(dir, Config(data));
  Daemon first(config);
  REQUIRE(first.WaitForLine("broker listening"));

  Daemon second(config);
  CHECK(second.Wait() == 1);
  INFO(second.output());
  CHECK(second.output().find(data.string() + " is in use by another process") !=
        std::string::npos);
  // The first one goes on as if nothing happened.
  REQUIRE(fs::exists(data / "endpoints.json"));
  std::ifstream in(data / "endpoints.json");
  httplib::Client http(nlohmann::json::parse(in).value("http", ""));
  auto healthz = http.Get("/healthz");
  REQUIRE(healthz);
  CHECK(healthz->status == 200);
  first.Signal(SIGTERM);
  CHECK(first.Wait() == 0);
}

TEST_CASE("docbus-broker reads the registry and the CRL again on SIGHUP",
          "[broker][reload]") {
  TempDir dir;
  Daemon daemon(WriteConfig(dir, Config(dir.path() / "data")));
  REQUIRE(daemon.WaitForLine("broker listening"));
  daemon.Signal(SIGHUP);
  CHECK(daemon.WaitForLine("registry and CRL reloaded"));
  daemon.Signal(SIGTERM);
  CHECK(daemon.Wait() == 0);
}

TEST_CASE("docbus-broker does not start when it cannot publish its log",
          "[broker]") {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  fs::create_directories(data);
  std::ofstream(data / "log") << "a file where the tiles folder goes";
  Daemon daemon(WriteConfig(dir, Config(data)));
  CHECK(daemon.Wait() == 1);
  INFO(daemon.output());
  CHECK(daemon.output().find("publishing tiles") != std::string::npos);
}

TEST_CASE("docbus-broker exits 3 when its stored log was tampered with",
          "[broker]") {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  {
    TestBroker b(TestOptions(data));
    TestAgent g22(kG22, b.broker().zmq_endpoint());
    g22.Open();
    REQUIRE(g22.Submit(MakeSubmit(kG22, {kH41})).has_accepted());
  }
  // Drop every entry: the log is now smaller than the signed checkpoint.
  {
    auto text = std::string("DELETE FROM audit_entries;");
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((data / "broker.db").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    sqlite3_close(db);
  }
  Daemon daemon(WriteConfig(dir, Config(data)));
  CHECK(daemon.Wait() == 3);
  INFO(daemon.output());
  CHECK(daemon.output().find("checkpoint") != std::string::npos);
}

}  // namespace
}  // namespace docbus::broker::test
