// The config files of a local deployment's daemons, as TOML text: one
// broker.toml per broker process and one agent-<agency>.toml per agency,
// every path relative to the deployment folder (the daemons run from it).
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "tools/local/deployment_options.h"

namespace docbus::local {

// Where one broker process of the deployment listens and keeps its files.
struct BrokerPlace {
  std::string zmq_listen;   // "tcp://127.0.0.1:<port>"
  std::string http_listen;  // "127.0.0.1:<port>" or "127.0.0.1:0"
  std::string data_dir;     // relative to the deployment folder
};

// The broker.toml of one broker; all brokers share keys, log key and store.
std::string BrokerConfigToml(const DeploymentOptions& options,
                             const BrokerPlace& place);
// The agent-<agency>.toml; `broker_endpoints` comma-separated.
std::string AgentConfigToml(const DeploymentOptions& options,
                            const std::string& agency,
                            const std::string& broker_endpoints);

// The audit log origin every broker of a local deployment signs.
inline constexpr char kLocalLogOrigin[] = "docbus.gov.vn/axis/test";

}  // namespace docbus::local
