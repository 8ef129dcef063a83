// WitnessOptions: docbus-witness's configuration (README.md, "Config"), read
// from its TOML file with docbus::Config. Reading never fails by itself;
// problems are reported by Config::Finish and ValidateWitnessOptions.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "bus/core/config.h"
#include "bus/core/status.h"

namespace docbus::witness {

struct WitnessOptions {
  std::string listen = "127.0.0.1:7380";
  std::filesystem::path data_dir;
  std::filesystem::path key_file;
  std::string log_level = "info";
  std::string log_format = "text";
  // [[log]] verifier_key: one per witnessed log; the key's name is the
  // log's origin.
  std::vector<std::string> log_keys;
};

WitnessOptions ReadWitnessOptions(Config& config);
// kInvalidArgument naming the key: a bad listen address, no [[log]], a
// verifier key that does not parse, two logs of the same origin.
Status ValidateWitnessOptions(const WitnessOptions& options);

}  // namespace docbus::witness
