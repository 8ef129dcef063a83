// docbus-agent --config <file>: an agency's agent daemon. Parses flags and
// the config, then runs AgentDaemon until SIGTERM or SIGINT (clean exit 0).
// SIGHUP reads the registry and the CRL again (the ones in force stay when
// the new files do not load).
// Exit 2: bad config (the message names the key); 1: could not start.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "agents/agent_config.h"
#include "agents/agent_daemon.h"
#include "bus/core/clock.h"
#include "bus/core/daemon_signals.h"
#include "bus/core/log.h"

int main(int argc, char** argv) {
  CLI::App app{"docbus-agent: an agency's agent on the national document bus"};
  std::string config_file;
  app.add_option("--config", config_file, "agent config file (TOML)")
      ->required();
  CLI11_PARSE(app, argc, argv);

  // Block the signals in every thread; this one waits for them.
  const sigset_t signals = docbus::BlockDaemonSignals();

  auto options = docbus::agent::LoadAgentConfig(config_file);
  if (!options.ok()) {
    std::cerr << "docbus-agent: bad config: " << options.status().message()
              << "\n";
    return 2;
  }
  if (!docbus::SetLogLevel(options->log_level)) {
    std::cerr << "docbus-agent: bad config: key 'log.level': unknown level '"
              << options->log_level << "'\n";
    return 2;
  }
  docbus::SetLogFormat(options->log_format);  // checked by LoadAgentConfig
  docbus::RouteProtobufLogs();
  docbus::RealClock clock;
  auto daemon = docbus::agent::AgentDaemon::Start(*options, clock);
  if (!daemon.ok()) {
    const docbus::Code code = daemon.status().code();
    const bool config_problem = code == docbus::Code::kInvalidArgument ||
                                code == docbus::Code::kNotFound ||
                                code == docbus::Code::kInvalidField;
    std::cerr << "docbus-agent: cannot start: " << daemon.status().ToString()
              << "\n";
    return config_problem ? 2 : 1;
  }
  int signal = 0;
  while (sigwait(&signals, &signal) == 0 && signal == SIGHUP) {
    (void)(*daemon)->agent().ReloadPki();  // logged and counted there
  }
  docbus::ComponentLogger("agent")->info("signal {} received, stopping",
                                         signal);
  (*daemon)->Stop();
  return 0;
}
