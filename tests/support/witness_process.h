// WitnessProcess: a real docbus-witness for a test, started from the build
// tree with a config written here (listen 127.0.0.1:0, data and key under
// `dir`, the given logs' verifier keys), its URL read from its log line
// "serving on <url>" in its stderr, which goes to `dir`/witness.log (a file,
// not a pipe, so that a daemon logging many refusals never blocks). The key
// is made once by `docbus-witness init` in `dir`/keys, so a restart keeps
// the same witness. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace docbus::testing {

class WitnessProcess {
 public:
  // Writes the key (if `dir`/keys/witness.key is missing) and the config.
  // Does not start the daemon; error() says what failed, if anything.
  WitnessProcess(std::filesystem::path dir,
                 std::vector<std::string> log_verifier_keys,
                 std::string name = "witness.test");
  ~WitnessProcess();  // SIGKILL if still running
  WitnessProcess(const WitnessProcess&) = delete;
  WitnessProcess& operator=(const WitnessProcess&) = delete;

  // Starts the daemon; true once it logged its URL (within 20 s), false
  // when it exited or never did (output() then tells why).
  bool Start();
  // SIGKILL and reap: a crash at whatever point it was.
  void Kill9();
  // SIGTERM and the exit code.
  int Stop();

  pid_t pid() const { return pid_; }
  const std::string& url() const { return url_; }
  const std::string& verifier_key() const { return verifier_key_; }
  std::filesystem::path db_file() const { return dir_ / "data/witness.db"; }
  std::filesystem::path config_file() const { return dir_ / "witness.toml"; }
  // The daemon's stderr so far (every run appends to the same file).
  std::string output() const;
  const std::string& error() const { return error_; }

 private:
  int Reap();

  std::filesystem::path dir_;
  std::string verifier_key_;
  pid_t pid_ = -1;
  std::string url_;
  std::string error_;
};

// The docbus-witness binary of this build tree.
std::filesystem::path WitnessBinary();

}  // namespace docbus::testing
