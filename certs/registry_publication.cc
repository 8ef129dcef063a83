#include "certs/registry_publication.h"

#include <ctime>

#include "bus/core/files.h"
#include "bus/core/log.h"
#include "bus/crypto/certificate.h"
#include "bus/crypto/signer.h"
#include "bus/registry/agency_registry.h"
#include "bus/registry/signed_registry.h"
#include "certs/folder_lock.h"

namespace docbus::pki {
namespace {

// The serial of the registry.signed in place; 0 when there is none.
Result<uint64_t> PublishedSerial(const PkiPaths& paths,
                                 const crypto::Certificate& root) {
  auto bytes = ReadFileLimited(paths.signed_registry(),
                               registry::kMaxSignedRegistryBytes);
  if (bytes.status().code() == Code::kNotFound) return uint64_t{0};
  if (!bytes.ok()) return bytes.status();
  auto verified = registry::VerifySignedRegistry(*bytes, root, 0);
  if (!verified.ok()) {
    return verified.status().Prefixed(paths.signed_registry().string());
  }
  return verified->serial;
}

v1::AgencyState StateOf(const registry::Agency& a) {
  if (a.revoked) return v1::AGENCY_STATE_REVOKED;
  if (a.disabled) return v1::AGENCY_STATE_DISABLED;
  return v1::AGENCY_STATE_ACTIVE;
}

}  // namespace

Result<uint64_t> PublishRegistryLocked(const PkiPaths& paths) {
  DOCBUS_ASSIGN_OR_RETURN(auto root,
                          crypto::Certificate::FromFile(paths.root_certificate()));
  DOCBUS_ASSIGN_OR_RETURN(uint64_t serial, PublishedSerial(paths, *root));
  DOCBUS_ASSIGN_OR_RETURN(auto agencies,
                          registry::AgencyRegistry::Load(paths.registry()));
  DOCBUS_ASSIGN_OR_RETURN(std::string crl,
                          ReadFileLimited(paths.crl(), 16u << 20));
  v1::Registry out;
  out.set_format_version(1);
  out.set_serial(serial + 1);
  out.set_issued_unix_s(static_cast<int64_t>(std::time(nullptr)));
  for (const registry::Agency& a : agencies->agencies()) {
    v1::RegistryAgency* e = out.add_agencies();
    e->set_id(a.id);
    e->set_name(a.name);
    e->set_parent(a.parent);
    e->set_certificate_pem(a.certificate_pem);
    e->set_curve_public_key(a.curve_public_key);
    for (const std::string& alias : a.aliases) e->add_aliases(alias);
    e->set_state(StateOf(a));
  }
  out.set_crl_pem(std::move(crl));
  DOCBUS_ASSIGN_OR_RETURN(
      auto signer,
      crypto::Signer::Load(paths.root_key(), paths.root_certificate()));
  DOCBUS_ASSIGN_OR_RETURN(std::string bytes,
                          registry::SignRegistry(out, *signer));
  // What the broker and the agents will check, checked before it is
  // installed: an entry whose certificate is not the root's is never
  // published.
  DOCBUS_RETURN_IF_ERROR(
      registry::VerifySignedRegistry(bytes, *root, serial).status());
  DOCBUS_RETURN_IF_ERROR(
      WriteFileAtomically(paths.signed_registry(), bytes, 0644));
  ComponentLogger("pki")->info("registry published serial={} agencies={}",
                               serial + 1, out.agencies_size());
  return serial + 1;
}

Result<uint64_t> PublishRegistry(const std::filesystem::path& pki_dir) {
  const PkiPaths paths(pki_dir);
  DOCBUS_ASSIGN_OR_RETURN(FolderLock lock, LockPkiFolder(paths));
  return PublishRegistryLocked(paths);
}

}  // namespace docbus::pki
