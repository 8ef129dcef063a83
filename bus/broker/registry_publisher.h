// RegistryPublisher: the signed registry (bus/registry/FORMAT.md) as the
// broker follows it. It watches the file the config names
// (pki.signed_registry) -- a stat about once a second, no SIGHUP -- and
// verifies each new version against the pinned root and the serial in
// force; the broker loop then puts an accepted one in force, audits it and
// pushes it to every agent (registry_follow.cc). The newest accepted copy is
// kept in the broker's data folder (registry.signed), so a restart starts
// from it and an older file put back is refused.
//
// A refused version is logged once and counted once
// (docbus_broker_registry_refused_total{reason}); the one in force stays.
//
// Thread-safety: none; the broker loop thread owns it.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "bus/core/metrics.h"
#include "bus/core/status.h"
#include "bus/crypto/certificate.h"
#include "bus/registry/signed_registry.h"

namespace docbus::broker {

class RegistryPublisher {
 public:
  // Reads and verifies `file` and the data folder's copy, and takes the one
  // with the higher serial as the registry to start from. Errors name the
  // key: pki.root_certificate when the root does not load,
  // pki.signed_registry when neither file holds a registry signed by it.
  static Result<std::unique_ptr<RegistryPublisher>> Open(
      const std::filesystem::path& file,
      const std::filesystem::path& root_certificate,
      const std::filesystem::path& data_dir, Metrics& metrics);

  // The registry to start from (its serial is not in force yet).
  const registry::VerifiedRegistry& initial() const { return *initial_; }
  // The copy in the data folder when the broker started (to tell what the
  // initial one changed); nullopt on a first start.
  const std::optional<registry::VerifiedRegistry>& previous() const {
    return previous_;
  }

  // When `now_ms` (monotonic) is due, checks the file; a new version that
  // verifies is returned (not yet in force: call Accepted once it is), one
  // that does not is logged and counted once. nullopt when nothing new.
  std::optional<registry::VerifiedRegistry> Poll(int64_t now_ms);

  // `registry` is in force: its serial is the floor from now on, and it is
  // kept in the data folder. A failed copy is logged (the registry stays in
  // force; a restart starts from the older copy and applies the file
  // again).
  void Accepted(const registry::VerifiedRegistry& registry);
  // `registry` could not be put in force (e.g. its CRL is older than the
  // one in force): logged and counted once, like a refused signature.
  void Refused(const registry::VerifiedRegistry& registry, const Status& why);

  // The version last polled could not be applied for a passing reason (the
  // store): the next Poll reads the file again.
  void Retry() { seen_stamp_.clear(); }

  uint64_t serial() const { return serial_; }
  std::shared_ptr<const std::string> signed_bytes() const { return bytes_; }

 private:
  RegistryPublisher(std::filesystem::path file, std::filesystem::path copy,
                    std::shared_ptr<const crypto::Certificate> root,
                    Metrics& metrics);
  // The file's identity (size, mtime, inode), to notice a change cheaply.
  std::string Stamp() const;
  void Refuse(std::string_view reason, const Status& why);

  const std::filesystem::path file_;
  const std::filesystem::path copy_;
  const std::shared_ptr<const crypto::Certificate> root_;
  Metrics& metrics_;
  std::shared_ptr<spdlog::logger> log_;
  std::optional<registry::VerifiedRegistry> initial_;
  std::optional<registry::VerifiedRegistry> previous_;
  uint64_t serial_ = 0;
  std::shared_ptr<const std::string> bytes_;
  std::string seen_stamp_;  // the version last looked at
  int64_t next_check_ms_ = 0;
};

}  // namespace docbus::broker
