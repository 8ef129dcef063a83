#include "tests/support/witness_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/shell.h"

namespace docbus::testing {

namespace fs = std::filesystem;

fs::path WitnessBinary() {
  return fs::path(DOCBUS_BINARY_DIR) / "bus/witness/docbus-witness";
}

WitnessProcess::WitnessProcess(fs::path dir,
                               std::vector<std::string> log_verifier_keys,
                               std::string name)
    : dir_(std::move(dir)) {
  fs::create_directories(dir_ / "keys");
  const fs::path vkey_file = dir_ / "keys/witness.vkey";
  if (!fs::exists(vkey_file)) {
    std::string out;
    if (RunShell(WitnessBinary().string() + " init --name " + name +
                     " --dir '" + (dir_ / "keys").string() + "' > '" +
                     vkey_file.string() + "'",
                 &out) != 0) {
      error_ = "docbus-witness init failed: " + out;
    }
  }
  std::ifstream(vkey_file) >> verifier_key_;
  std::ofstream config(config_file());
  config << "[witness]\nlisten = \"127.0.0.1:0\"\ndata_dir = \"data\"\n"
            "key_file = \"keys/witness.key\"\n";
  for (const std::string& key : log_verifier_keys) {
    config << "\n[[log]]\nverifier_key = \"" << key << "\"\n";
  }
}

WitnessProcess::~WitnessProcess() { Kill9(); }

std::string WitnessProcess::output() const {
  std::ifstream in(dir_ / "witness.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool WitnessProcess::Start() {
  const fs::path log_file = dir_ / "witness.log";
  const size_t before = output().size();
  pid_ = fork();
  if (pid_ < 0) return false;
  if (pid_ == 0) {
    const int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(fd, STDERR_FILENO);
    const std::string bin = WitnessBinary().string();
    const std::string config = config_file().string();
    execl(bin.c_str(), bin.c_str(), "--config", config.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = output().substr(before);
    const size_t at = text.find("serving on ");
    if (at != std::string::npos) {
      const size_t start = at + 11;
      url_ = text.substr(start, text.find(' ', start) - start);
      return true;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

int WitnessProcess::Reap() {
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void WitnessProcess::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Reap();
}

int WitnessProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  return Reap();
}

}  // namespace docbus::testing
