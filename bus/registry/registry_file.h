// The agency registry file (registry.toml) as text: read strictly into
// entries, edited, and written back crash-safely. This is the one file that
// wraps toml++ for the registry. It checks the file's shape (types, required
// and unknown keys); AgencyRegistry checks the meaning (ids, keys,
// certificates). The format is documented in certs/README.md:
//
//   [[agency]]
//   id = "000.00.00.G22"
//   name = "Văn phòng Chính phủ"
//   parent = ""
//   certificate = "agencies/000.00.00.G22/cert.pem"   # relative to the file
//   curve_public_key = "<Z85, 40 chars>"
//   revoked = false
//   disabled = true               # optional: written only when true
//   aliases = ["vxp.saas.03"]     # optional: other ids it is known by
//
// Not thread-safe: one RegistryFile per editing session (the PKI tool).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"

namespace docbus::registry {

struct RegistryEntry {
  std::string id;
  std::string name;
  std::string parent;       // "" at the top
  std::string certificate;  // path as written, relative to the registry file
  std::string curve_public_key;
  bool revoked = false;
  // May not send or receive new documents; its queue is kept. Written only
  // when true.
  bool disabled = false;
  // Other ids the agency's systems name it by (a QĐ 20/2020 code, the system
  // id of its document software); never written when empty.
  std::vector<std::string> aliases;
  int line = 0;  // where the entry starts in the file (0 if new)
};

class RegistryFile {
 public:
  // Reads `file`. A missing file is an empty registry when `missing_ok`,
  // otherwise kNotFound. A TOML syntax error, a wrong type, a missing
  // required key or an unknown key → kInvalidArgument "<file>:<line>: why".
  static Result<RegistryFile> Read(const std::filesystem::path& file,
                                   bool missing_ok = false);
  // Parses text as if read from `file` (for tests and for Read).
  static Result<RegistryFile> Parse(std::string_view text,
                                    const std::filesystem::path& file);

  const std::filesystem::path& path() const { return path_; }
  const std::vector<RegistryEntry>& entries() const { return entries_; }
  // The entry with that id, or nullptr.
  RegistryEntry* Find(std::string_view id);

  // Adds a new entry; kAlreadyExists if the id is present.
  Status Add(RegistryEntry entry);

  // The registry in TOML (UTF-8, strings escaped), entries in file order.
  std::string Render() const;

  // Writes Render() to path() crash-safely; the new text is validated with
  // AgencyRegistry::Load before it replaces the old file, so a registry that
  // would not load is never installed (its error is returned instead).
  Status Save() const;

 private:
  explicit RegistryFile(std::filesystem::path path) : path_(std::move(path)) {}

  std::filesystem::path path_;
  std::vector<RegistryEntry> entries_;
};

}  // namespace docbus::registry
