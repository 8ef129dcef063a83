#include "bus/registry/signed_registry.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include "bus/core/files.h"
#include "bus/crypto/sha256.h"
#include "bus/crypto/verifier.h"

namespace docbus::registry {
namespace {

constexpr std::string_view kOrigin = "signed registry";

bool IssuedByRoot(std::string_view pem, const crypto::Certificate& root) {
  auto cert = crypto::Certificate::FromPem(pem);
  if (!cert.ok()) return false;
  const bool ok =
      X509_check_issued(root.x509(), (*cert)->x509()) == X509_V_OK &&
      X509_verify((*cert)->x509(), X509_get0_pubkey(root.x509())) == 1;
  ERR_clear_error();
  return ok;
}

Agency FromEntry(const v1::RegistryAgency& e) {
  Agency a;
  a.id = e.id();
  a.name = e.name();
  a.parent = e.parent();
  a.certificate_pem = e.certificate_pem();
  a.curve_public_key = e.curve_public_key();
  a.revoked = e.state() == v1::AGENCY_STATE_REVOKED;
  a.disabled = e.state() == v1::AGENCY_STATE_DISABLED;
  a.aliases.assign(e.aliases().begin(), e.aliases().end());
  return a;
}

v1::RegistryChange Change(const std::string& id, v1::RegistryChange::Kind k) {
  v1::RegistryChange c;
  c.set_agency_id(id);
  c.set_kind(k);
  return c;
}

}  // namespace

Result<std::string> SignRegistry(const v1::Registry& registry,
                                 const crypto::Signer& root) {
  v1::SignedRegistry out;
  if (!registry.SerializeToString(out.mutable_registry())) {
    return Status(Code::kInternal, "cannot serialize the registry");
  }
  DOCBUS_ASSIGN_OR_RETURN(std::string signature, root.Sign(out.registry()));
  out.set_signature(std::move(signature));
  std::string bytes;
  if (!out.SerializeToString(&bytes)) {
    return Status(Code::kInternal, "cannot serialize the signed registry");
  }
  if (bytes.size() > kMaxSignedRegistryBytes) {
    return Status(Code::kTooLarge,
                  "signed registry of " + std::to_string(bytes.size()) +
                      " bytes is over the limit of " +
                      std::to_string(kMaxSignedRegistryBytes));
  }
  return bytes;
}

Result<VerifiedRegistry> VerifySignedRegistry(
    std::string_view signed_bytes, const crypto::Certificate& root,
    uint64_t serial_in_force) {
  if (signed_bytes.size() > kMaxSignedRegistryBytes) {
    return Status(Code::kTooLarge,
                  "signed registry of " + std::to_string(signed_bytes.size()) +
                      " bytes is over the limit");
  }
  v1::SignedRegistry envelope;
  if (signed_bytes.empty() ||
      !envelope.ParseFromArray(signed_bytes.data(),
                               static_cast<int>(signed_bytes.size())) ||
      envelope.registry().empty() || envelope.signature().empty()) {
    return Status(Code::kMalformed, "not a signed registry");
  }
  Status signature = crypto::VerifyDetachedSignature(
      envelope.registry(), envelope.signature(), root);
  if (!signature.ok()) {
    return Status(Code::kBadSignature,
                  "signed registry: " + signature.message());
  }
  v1::Registry registry;
  if (!registry.ParseFromString(envelope.registry())) {
    return Status(Code::kMalformed, "signed registry: body does not parse");
  }
  if (registry.format_version() != 1) {
    return Status(Code::kMalformed,
                  "signed registry: format_version " +
                      std::to_string(registry.format_version()) + " is not 1");
  }
  if (registry.serial() <= serial_in_force) {
    return Status(Code::kFailedPrecondition,
                  "signed registry serial " +
                      std::to_string(registry.serial()) +
                      " is not above serial " +
                      std::to_string(serial_in_force) + " in force");
  }
  std::vector<Agency> agencies;
  agencies.reserve(static_cast<size_t>(registry.agencies_size()));
  for (const v1::RegistryAgency& e : registry.agencies()) {
    if (!IssuedByRoot(e.certificate_pem(), root)) {
      return Status(Code::kUntrustedCertificate,
                    "signed registry: the certificate of agency " +
                        e.id().substr(0, 64) + " is not issued by the root");
    }
    agencies.push_back(FromEntry(e));
  }
  DOCBUS_ASSIGN_OR_RETURN(auto indexed,
                          AgencyRegistry::FromAgencies(std::move(agencies),
                                                       kOrigin));
  VerifiedRegistry out;
  out.serial = registry.serial();
  out.issued_unix_s = registry.issued_unix_s();
  out.agencies = std::move(indexed);
  out.crl_pem = registry.crl_pem();
  out.signed_bytes = std::string(signed_bytes);
  out.sha256 = crypto::Sha256(signed_bytes);
  return out;
}

Result<VerifiedRegistry> ReadSignedRegistry(const std::filesystem::path& file,
                                            const crypto::Certificate& root) {
  DOCBUS_ASSIGN_OR_RETURN(std::string bytes,
                          ReadFileLimited(file, kMaxSignedRegistryBytes));
  auto verified = VerifySignedRegistry(bytes, root, 0);
  if (!verified.ok()) return verified.status().Prefixed(file.string());
  return verified;
}

Result<StartingRegistry> ChooseStartingRegistry(
    const std::filesystem::path& configured, const std::filesystem::path& kept,
    const crypto::Certificate& root) {
  StartingRegistry out;
  auto from_config = ReadSignedRegistry(configured, root);
  std::error_code ec;
  if (std::filesystem::exists(kept, ec)) {
    auto copy = ReadSignedRegistry(kept, root);
    if (copy.ok()) {
      out.kept = std::move(copy).value();
    } else {
      out.problems.push_back("the kept signed registry is unusable: " +
                             copy.status().ToString());
    }
  }
  if (!from_config.ok()) {
    if (!out.kept) return from_config.status();
    out.problems.push_back(from_config.status().ToString() +
                           "; starting from the kept copy (serial " +
                           std::to_string(out.kept->serial) + ")");
    out.registry = *out.kept;
  } else if (out.kept && out.kept->serial > from_config->serial) {
    out.problems.push_back(
        "signed registry refused: " + configured.string() + " has serial " +
        std::to_string(from_config->serial) + ", older than serial " +
        std::to_string(out.kept->serial) +
        " accepted before; starting from that one");
    out.configured_refused_as_stale = true;
    out.registry = *out.kept;
  } else {
    out.registry = std::move(from_config).value();
  }
  return out;
}

std::string_view RefusalReason(const Status& refusal) {
  switch (refusal.code()) {
    case Code::kTooLarge:
    case Code::kMalformed:
      return "malformed";
    case Code::kBadSignature:
      return "signature";
    case Code::kFailedPrecondition:
      return "stale";
    default:
      return "invalid_entry";
  }
}

std::vector<v1::RegistryChange> DiffRegistries(const AgencyRegistry* before,
                                               const AgencyRegistry& after) {
  std::vector<v1::RegistryChange> changes;
  for (const Agency& a : after.agencies()) {
    const Agency* old = before ? before->Find(a.id) : nullptr;
    if (old == nullptr) {
      changes.push_back(Change(a.id, v1::RegistryChange::ADDED));
      if (a.revoked) changes.push_back(Change(a.id, v1::RegistryChange::REVOKED));
      if (a.disabled)
        changes.push_back(Change(a.id, v1::RegistryChange::DISABLED));
      continue;
    }
    if (a.revoked && !old->revoked) {
      changes.push_back(Change(a.id, v1::RegistryChange::REVOKED));
    }
    if (a.disabled && !old->disabled) {
      changes.push_back(Change(a.id, v1::RegistryChange::DISABLED));
    } else if (!a.disabled && old->disabled) {
      changes.push_back(Change(a.id, v1::RegistryChange::ENABLED));
    }
    if (a.curve_public_key != old->curve_public_key) {
      changes.push_back(Change(a.id, v1::RegistryChange::ROTATED));
    }
    if (a.certificate_pem != old->certificate_pem) {
      changes.push_back(Change(a.id, v1::RegistryChange::REISSUED));
    }
  }
  if (before != nullptr) {
    for (const Agency& old : before->agencies()) {
      if (after.Find(old.id) == nullptr) {
        changes.push_back(Change(old.id, v1::RegistryChange::REMOVED));
      }
    }
  }
  return changes;
}

}  // namespace docbus::registry
