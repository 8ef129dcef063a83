// One daemon run as a child process, its stderr to a log file: started,
// signalled (stopped and continued too), killed (-9) and reaped. The
// destructor kills a process that is still running. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/core/status.h"

namespace docbus::local {

class DaemonProcess {
 public:
  static Result<std::unique_ptr<DaemonProcess>> Start(
      const std::filesystem::path& exe, const std::vector<std::string>& args,
      const std::filesystem::path& log_file,
      const std::map<std::string, std::string>& env = {});
  ~DaemonProcess();

  // SIGTERM (and SIGCONT, so a stopped process gets it), then SIGKILL after
  // `grace`. Returns the exit code (128+signal when killed by a signal).
  Result<int> Terminate(std::chrono::milliseconds grace);
  void Kill9();
  // Sends `signal` (e.g. SIGSTOP, SIGCONT, SIGHUP) while it runs.
  void Signal(int signal);
  // The exit code once the process has exited, waiting up to `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  bool running();
  pid_t pid() const { return pid_; }

 private:
  explicit DaemonProcess(pid_t pid) : pid_(pid) {}
  std::optional<int> Reap(bool block);

  pid_t pid_;
  std::optional<int> exit_code_;
};

}  // namespace docbus::local
