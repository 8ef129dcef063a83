#include "tools/local/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

extern char** environ;

namespace docbus::local {

Result<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(
    const std::filesystem::path& exe, const std::vector<std::string>& args,
    const std::filesystem::path& log_file,
    const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv_s{exe.string()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string key = entry.substr(0, entry.find('='));
    if (!env.contains(key)) env_s.push_back(entry);
  }
  for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(),
                             envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Status(Code::kIoError,
                  "cannot start " + exe.string() + ": " + std::strerror(rc));
  }
  return std::unique_ptr<DaemonProcess>(new DaemonProcess(pid));
}

DaemonProcess::~DaemonProcess() {
  if (running()) Kill9();
}

std::optional<int> DaemonProcess::Reap(bool block) {
  if (exit_code_) return exit_code_;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status)
                                   : 128 + WTERMSIG(status);
  }
  return exit_code_;
}

bool DaemonProcess::running() { return !Reap(false).has_value(); }

std::optional<int> DaemonProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!Reap(false)) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

void DaemonProcess::Kill9() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  Reap(true);
}

void DaemonProcess::Signal(int signal) {
  if (running()) ::kill(pid_, signal);
}

Result<int> DaemonProcess::Terminate(std::chrono::milliseconds grace) {
  if (running()) {
    ::kill(pid_, SIGTERM);
    ::kill(pid_, SIGCONT);
  }
  if (auto code = Wait(grace)) return *code;
  Kill9();
  return Status(Code::kUnavailable, "did not stop within the grace period; killed");
}

}  // namespace docbus::local
