// RegistryFollower: the agent's side of the signed registry
// (bus/registry/FORMAT.md). The broker pushes each new one (RegistryUpdate)
// and names its serial in Welcome; the follower verifies it against the
// root pinned in the agent's config, refuses one that is older than or as
// old as the one in force, signed by another key or otherwise invalid, and
// puts a good one in force at once (the NationalPki the loop and the
// document builder take their verifier and registry from), then keeps it in
// the data folder (registry.signed) so that a restart starts from the newest
// it accepted.
//
// A refused registry is said once: one log line and one count in
// docbus_agent_registry_refused_total{reason} per distinct registry, however
// often it is offered; the one in force stays.
//
// Thread-safety: Offer from one thread (the loop); serial() from any.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "bus/core/metrics.h"
#include "bus/core/status.h"
#include "bus/crypto/national_pki.h"
#include "bus/registry/signed_registry.h"

namespace docbus::agent {

class RegistryFollower {
 public:
  // The PKI to start from: the newer of `configured` (pki.signed_registry)
  // and the copy in `data_dir`, verified against `root_certificate`, and
  // the follower that keeps it current. Errors name the config key.
  struct Started {
    std::unique_ptr<crypto::NationalPki> pki;
    std::unique_ptr<RegistryFollower> follower;
  };
  static Result<Started> Start(const std::filesystem::path& configured,
                               const std::filesystem::path& root_certificate,
                               const std::filesystem::path& data_dir,
                               std::string agency_id, const Clock& clock,
                               Metrics& metrics);

  // A signed registry from the broker. Ok when it is now in force (or is the
  // one already in force); otherwise why it was refused (said once).
  Status Offer(std::string_view signed_bytes);

  uint64_t serial() const { return serial_.load(); }

 private:
  RegistryFollower(crypto::NationalPki& pki, std::filesystem::path copy,
                   std::string agency_id, Metrics& metrics);
  void Accept(const registry::VerifiedRegistry& registry);
  Status Refuse(std::string_view reason, const std::string& digest,
                const Status& why);

  crypto::NationalPki& pki_;
  const std::filesystem::path copy_;
  const std::string agency_id_;
  Metrics& metrics_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<uint64_t> serial_{0};
  std::string in_force_sha256_;
  // Digests of registries refused already (the latest few).
  std::deque<std::string> refused_;
};

}  // namespace docbus::agent
