// The agency registry: who may use the bus. It binds each agency id (QCVN 102
// organ code) to its display name, parent organ, X.509 certificate and CURVE
// public key, and says whether the agency is revoked. Loaded once from
// registry.toml (see registry_file.h and certs/README.md) and then immutable:
// share it as std::shared_ptr<const AgencyRegistry> and swap in a newly
// loaded one to reload. All const calls are thread-safe.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"
#include "bus/registry/registry_file.h"

namespace docbus::registry {

struct Agency {
  std::string id;
  std::string name;
  std::string parent;            // parent organ id; "" at the top
  std::string certificate_pem;   // the certificate file's contents (PEM)
  std::string curve_public_key;  // Z85, 40 characters
  bool revoked = false;
  std::filesystem::path certificate_path;  // absolute path of the PEM file
                                           // ("" from a signed registry)
  // Other ids the agency is known by (registry_file.h). Only routing of
  // envelopes from systems that use them resolves them (Resolve); the
  // agency signs, connects and is addressed by docbus under `id`.
  std::vector<std::string> aliases;
  // Disabled by the operator: no new documents to or from it, connections
  // refused, its queue kept (a later registry may enable it again).
  bool disabled = false;

  // Whether it may connect, send and receive new documents now.
  bool may_exchange() const { return !revoked && !disabled; }
  // "active", "disabled" or "revoked".
  const char* state() const {
    return revoked ? "revoked" : disabled ? "disabled" : "active";
  }
};

class AgencyRegistry {
 public:
  // Reads and validates registry.toml: every id well-formed
  // (ValidateAgencyId), parent empty or well-formed, a non-empty name, a
  // 40-character Z85 CURVE key, the certificate file present with subject CN
  // equal to the id, no duplicate id or CURVE key, every alias well-formed
  // (ValidateAgencyAlias) and naming no other agency's id or alias. On
  // failure: kNotFound /
  // kIoError for the file, kInvalidArgument "<file>:<line>: why" otherwise.
  static Result<std::shared_ptr<const AgencyRegistry>> Load(
      const std::filesystem::path& registry_toml);

  // The same validation for entries already parsed; certificate paths are
  // taken relative to `registry_toml`'s folder.
  static Result<std::shared_ptr<const AgencyRegistry>> FromEntries(
      const std::vector<RegistryEntry>& entries,
      const std::filesystem::path& registry_toml);

  // The same validation for agencies whose certificates are already in
  // memory (a signed registry). Errors name `origin` and the entry's
  // position: kInvalidArgument "<origin>: agency #<n>: why".
  static Result<std::shared_ptr<const AgencyRegistry>> FromAgencies(
      std::vector<Agency> agencies, std::string_view origin);

  // nullptr when unknown. Revoked agencies are found (check `revoked`).
  const Agency* Find(std::string_view id) const;
  const Agency* FindByCurveKey(std::string_view z85) const;
  // The agency whose id or one of whose aliases is `id_or_alias`; nullptr
  // when none.
  const Agency* Resolve(std::string_view id_or_alias) const;
  const std::vector<Agency>& agencies() const { return agencies_; }

 private:
  AgencyRegistry() = default;
  // Validates and indexes; `invalid(i, why)` makes the error for entry i.
  static Result<std::shared_ptr<const AgencyRegistry>> Index(
      std::vector<Agency> agencies,
      const std::function<Status(size_t, const std::string&)>& invalid);

  std::vector<Agency> agencies_;
  std::map<std::string, size_t, std::less<>> by_id_;
  std::map<std::string, size_t, std::less<>> by_curve_key_;
  std::map<std::string, size_t, std::less<>> by_alias_;
};

// Ok when `alias` is 1 to 64 characters of letters, digits, '.', '-' and
// '_' (the shapes real systems use: "vxp.saas.03", "H41.01", QCVN 102 codes).
Status ValidateAgencyAlias(std::string_view alias);

// Ok when `key` is 40 characters of the Z85 alphabet (a CURVE public key).
Status ValidateCurvePublicKey(std::string_view key);

// The subject commonName of a PEM certificate; kInvalidArgument with
// OpenSSL's error text when it does not parse or has no single CN.
Result<std::string> CertificateCommonName(std::string_view pem);

}  // namespace docbus::registry
