// A TOML configuration file read strictly: typed getters with defaults and
// bounds, paths resolved against the file's folder, and every problem (a
// missing required key, a wrong type, a value out of range, a key nobody
// reads: usually a typo) reported by Finish() with the key's name. Daemons
// refuse to start when Finish() is not ok. Not thread-safe; read once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"

namespace docbus {

class Config {
 public:
  static Result<Config> Load(const std::filesystem::path& file);
  static Result<Config> Parse(std::string_view text,
                              const std::filesystem::path& base_dir,
                              std::string source_name);
  Config(Config&&) noexcept;
  Config& operator=(Config&&) noexcept;
  ~Config();

  // Keys are dotted paths: "broker.listen".
  std::string String(std::string_view key, std::string_view fallback);
  std::string RequiredString(std::string_view key);
  int64_t Int(std::string_view key, int64_t fallback, int64_t min, int64_t max);
  bool Bool(std::string_view key, bool fallback);
  // A path; relative paths are taken from the config file's folder.
  std::filesystem::path Path(std::string_view key,
                             const std::filesystem::path& fallback);
  std::filesystem::path RequiredPath(std::string_view key);
  bool Has(std::string_view key) const;
  // How many tables the array of tables `key` holds ("[[log]]" sections);
  // their keys are read as "log[0].verifier_key". 0 when absent; an error
  // (reported by Finish) when `key` is something else.
  int64_t TableCount(std::string_view key);

  // Ok, or the first problem found: "<file>: key 'a.b': <why>". Also flags
  // keys present in the file that no getter asked for.
  Status Finish() const;

 private:
  struct Impl;
  explicit Config(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The items of a comma-separated list value ("tcp://a:7100, tcp://b:7100"),
// each without surrounding spaces, empty ones kept (so a caller can refuse
// them).
std::vector<std::string> SplitCommaList(std::string_view list);

}  // namespace docbus
