// docbus-witness --config <file>: serves the tlog-witness protocol until
// SIGTERM / SIGINT (exit 0). A bad config exits 2 naming the key; a key file
// or store that cannot be opened exits 1.
// docbus-witness init --name <name> --dir <dir> (alias keygen): writes a
// fresh private key to <dir>/witness.key (mode 0600, never over an existing
// file) and prints the verifier key on stdout.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus/core/daemon_signals.h"
#include "bus/core/files.h"
#include "bus/core/log.h"
#include "bus/witness/witness_daemon.h"

namespace {

int Init(const std::string& name, const std::filesystem::path& dir) {
  auto keys = docbus::audit::GenerateCosignerKeys(name);
  if (!keys.ok()) {
    std::fprintf(stderr, "docbus-witness: %s\n", keys.status().message().c_str());
    return 2;
  }
  if (docbus::Status s = docbus::MakeDirectory(dir, 0700); !s.ok()) {
    std::fprintf(stderr, "docbus-witness: %s\n", s.message().c_str());
    return 1;
  }
  const std::filesystem::path file = dir / "witness.key";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::fprintf(stderr, "docbus-witness: cannot create %s: %s\n",
                 file.c_str(),
                 errno == EEXIST ? "it exists (not overwritten)"
                                 : std::strerror(errno));
    return 1;
  }
  const std::string text = keys->signer_key + "\n";
  const bool written =
      ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    std::fprintf(stderr, "docbus-witness: cannot write %s\n", file.c_str());
    ::unlink(file.c_str());
    return 1;
  }
  std::printf("%s\n", keys->verifier_key.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"docbus witness: cosigns the checkpoints of the logs it follows"};
  std::string config_file;
  app.add_option("--config", config_file, "witness TOML configuration file");
  std::string name;
  std::string dir;
  CLI::App* init = app.add_subcommand(
      "init", "write a new private key to <dir>/witness.key, print the verifier key");
  init->alias("keygen");
  init->add_option("--name", name, "the witness's name (e.g. witness.sao.example)")
      ->required();
  init->add_option("--dir", dir, "folder of the key file")->required();
  CLI11_PARSE(app, argc, argv);
  if (init->parsed()) return Init(name, dir);
  if (config_file.empty()) {
    std::fprintf(stderr, "docbus-witness: --config is required\n");
    return 2;
  }

  auto config = docbus::Config::Load(config_file);
  if (!config.ok()) {
    std::fprintf(stderr, "docbus-witness: %s\n", config.status().ToString().c_str());
    return 2;
  }
  const docbus::witness::WitnessOptions options =
      docbus::witness::ReadWitnessOptions(*config);
  docbus::Status s = config->Finish();
  if (s.ok()) s = docbus::witness::ValidateWitnessOptions(options);
  if (!s.ok()) {
    std::fprintf(stderr, "docbus-witness: bad config: %s\n", s.message().c_str());
    return 2;
  }
  docbus::SetLogLevel(options.log_level);
  docbus::SetLogFormat(options.log_format);
  auto log = docbus::ComponentLogger("witness");
  const sigset_t signals = docbus::BlockDaemonSignals();

  docbus::RealClock clock;
  auto daemon = docbus::witness::WitnessDaemon::Start(options, clock);
  if (!daemon.ok()) {
    log->critical("cannot start: {}", daemon.status().ToString());
    return daemon.status().code() == docbus::Code::kInvalidArgument ? 2 : 1;
  }
  while (true) {
    const int sig = sigwaitinfo(&signals, nullptr);
    if (sig == SIGTERM || sig == SIGINT) {
      log->info("signal {}: shutting down", sig);
      break;
    }
  }
  return 0;
}
