// Reading the agent daemon's TOML config (keys in agents/README.md and
// common.md) into the options the daemon starts from. Key files named in
// the config (CURVE keys, the broker's keys) are read here, once.
// Free function; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "agents/agent.h"
#include "bus/core/config.h"
#include "bus/core/status.h"

namespace docbus::agent {

// The national axis SDK endpoint (agents/vdxp), from the [vdxp] table; off
// when the table is absent.
struct VdxpOptions {
  bool enabled = false;
  std::string listen = "127.0.0.1:0";  // vdxp.listen
  std::string system_id;               // vdxp.system_id: the SDK's systemid
  std::string secret;  // read from vdxp.secret_file (0600); never logged
};

struct DaemonOptions {
  AgentOptions agent;
  std::filesystem::path drop_folder;  // drop.folder; empty: no drop folder
  std::string http_listen;            // http.listen, default 127.0.0.1:0
  int64_t http_max_queue_ms = 1000;   // http.max_queue_ms (0: no shedding)
  std::string log_level;              // log.level, default info
  std::string log_format;             // log.format: text (default) or json
  VdxpOptions vdxp;                   // [vdxp]
};

// Ok, or kInvalidArgument with a message naming the first bad key (a
// missing or unreadable key file names its key too): the daemon then exits
// with code 2.
Result<DaemonOptions> LoadAgentConfig(const std::filesystem::path& file);
// The same from an already loaded Config (for tests).
Result<DaemonOptions> ReadAgentConfig(Config& config);

}  // namespace docbus::agent
