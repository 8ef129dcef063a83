// The signed registry (FORMAT.md): the operator's whole registry -- every
// agency with its certificate, CURVE key, aliases and state, and the CRL --
// as one docbus.v1.SignedRegistry signed by the national root CA. The
// broker publishes it and follows it, agents fetch and follow it; both check
// it here, the one place that decides whether a signed registry may be put
// in force. Free functions; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"
#include "bus/crypto/certificate.h"
#include "bus/crypto/signer.h"
#include "bus/registry/agency_registry.h"
#include "docbus/v1/audit.pb.h"
#include "docbus/v1/registry.pb.h"

namespace docbus::registry {

// Largest registry.signed a daemon reads or a broker sends: one wire frame
// (the agent's inbound limit is 4 MiB), room for some 1000 agencies.
inline constexpr size_t kMaxSignedRegistryBytes = size_t{3} << 20;

// A signed registry that passed VerifySignedRegistry.
struct VerifiedRegistry {
  uint64_t serial = 0;
  int64_t issued_unix_s = 0;
  std::shared_ptr<const AgencyRegistry> agencies;
  std::string crl_pem;
  std::string signed_bytes;  // the exact serialized SignedRegistry
  std::string sha256;        // of signed_bytes, 32 raw bytes
};

// Serializes `registry` once and signs those bytes with `root` (the root
// CA's key and certificate); the serialized SignedRegistry. kInternal from
// the signer; kTooLarge over kMaxSignedRegistryBytes.
Result<std::string> SignRegistry(const v1::Registry& registry,
                                 const crypto::Signer& root);

// Ok when `signed_bytes` is a SignedRegistry, at most
// kMaxSignedRegistryBytes, signed by `root`, of format_version 1, with a
// serial above `serial_in_force`, and every agency entry valid as
// AgencyRegistry checks registry.toml (id, name, CURVE key, CN = id, no
// duplicates) with a certificate issued by `root`. The CRL is checked by
// whoever installs it (crypto::TrustStore). Errors, in this order:
//   kTooLarge / kMalformed   not a SignedRegistry or not a Registry;
//   kBadSignature            not signed by the root's key (another signer,
//                            altered bytes);
//   kFailedPrecondition      serial not above the one in force;
//   kInvalidArgument /
//   kUntrustedCertificate    an entry is invalid, or its certificate is
//                            not the root's.
// Never logs: the caller says so once and counts it (RefusalReason).
Result<VerifiedRegistry> VerifySignedRegistry(
    std::string_view signed_bytes, const crypto::Certificate& root,
    uint64_t serial_in_force);

// Reads `file` (at most kMaxSignedRegistryBytes) and verifies it against
// `root` with no serial in force. Errors name the file.
Result<VerifiedRegistry> ReadSignedRegistry(const std::filesystem::path& file,
                                            const crypto::Certificate& root);

// Where a daemon starts from: the configured file, or the copy it kept of
// the newest one it accepted, whichever has the higher serial (an older
// file put back cannot lift a revocation across a restart).
struct StartingRegistry {
  VerifiedRegistry registry;
  std::optional<VerifiedRegistry> kept;  // the kept copy, when it verified
  std::vector<std::string> problems;     // to log once each
  bool configured_refused_as_stale = false;
};
// kInvalidArgument "<configured>: why" when neither verifies.
Result<StartingRegistry> ChooseStartingRegistry(
    const std::filesystem::path& configured, const std::filesystem::path& kept,
    const crypto::Certificate& root);

// The metric label of a VerifySignedRegistry refusal: "malformed",
// "signature", "stale" or "invalid_entry".
std::string_view RefusalReason(const Status& refusal);

// What changed from `before` (nullptr: nothing was in force) to `after`,
// by agency id in `after`'s order, then removed ids.
std::vector<v1::RegistryChange> DiffRegistries(const AgencyRegistry* before,
                                               const AgencyRegistry& after);

}  // namespace docbus::registry
