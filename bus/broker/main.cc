// docbus-broker --config <file>: parses flags, loads the config (bad config:
// exit 2 naming the key), starts the broker library and waits for SIGTERM /
// SIGINT (clean shutdown, exit 0) or SIGHUP (read the registry and the CRL
// again). A stored audit log that no longer matches the broker's own signed
// checkpoint refuses to start (exit 3).
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <ctime>

#include "bus/broker/broker.h"
#include "bus/core/config.h"
#include "bus/core/daemon_signals.h"
#include "bus/core/log.h"

int main(int argc, char** argv) {
  CLI::App app{"docbus broker: the national document exchange bus"};
  std::string config_file;
  app.add_option("--config", config_file, "broker TOML configuration file")
      ->required();
  CLI11_PARSE(app, argc, argv);

  auto config = docbus::Config::Load(config_file);
  if (!config.ok()) {
    std::fprintf(stderr, "docbus-broker: %s\n",
                 config.status().ToString().c_str());
    return 2;
  }
  const docbus::broker::BrokerOptions options =
      docbus::broker::ReadBrokerOptions(*config);
  docbus::Status s = config->Finish();
  if (s.ok()) s = docbus::broker::ValidateBrokerOptions(options);
  if (!s.ok()) {
    std::fprintf(stderr, "docbus-broker: bad config: %s\n",
                 s.message().c_str());
    return 2;
  }
  docbus::SetLogLevel(options.log_level);
  docbus::SetLogFormat(options.log_format);
  docbus::RouteProtobufLogs();
  auto log = docbus::ComponentLogger("broker");

  // Signals are taken synchronously by this thread only.
  const sigset_t signals = docbus::BlockDaemonSignals();

  docbus::RealClock clock;
  auto broker = docbus::broker::Broker::Start(options, clock);
  if (!broker.ok()) {
    const int code = docbus::broker::Broker::ExitCodeFor(broker.status());
    log->critical("cannot start: {}", broker.status().ToString());
    std::fprintf(stderr, "docbus-broker: cannot start: %s\n",
                 broker.status().ToString().c_str());
    return code;
  }
  const timespec tick{0, 200'000'000};
  while ((*broker)->running()) {
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGTERM || sig == SIGINT) {
      log->info("signal {}: shutting down", sig);
      break;
    }
    if (sig == SIGHUP) {
      log->info("SIGHUP: reloading the registry and the CRL");
      (*broker)->RequestReload();
    }
  }
  s = (*broker)->Stop();
  return s.ok() ? 0 : 1;
}
