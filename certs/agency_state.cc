#include "certs/agency_state.h"

#include "bus/core/files.h"
#include "bus/core/log.h"
#include "bus/registry/agency_registry.h"
#include "bus/registry/registry_file.h"
#include "certs/folder_lock.h"
#include "certs/registry_publication.h"

namespace docbus::pki {
namespace {

Status NotListed(std::string_view id) {
  return Status(Code::kNotFound,
                "agency " + std::string(id) + " is not in the registry");
}

}  // namespace

Status SetAgencyDisabled(const std::filesystem::path& dir, std::string_view id,
                         bool disabled) {
  const PkiPaths paths(dir);
  DOCBUS_ASSIGN_OR_RETURN(FolderLock lock, LockPkiFolder(paths));
  DOCBUS_ASSIGN_OR_RETURN(auto file,
                          registry::RegistryFile::Read(paths.registry()));
  registry::RegistryEntry* entry = file.Find(id);
  if (entry == nullptr) return NotListed(id);
  if (entry->revoked) {
    return Status(Code::kFailedPrecondition,
                  "agency " + std::string(id) +
                      " is revoked; a revocation is final");
  }
  entry->disabled = disabled;
  DOCBUS_RETURN_IF_ERROR(file.Save());
  ComponentLogger("pki")->info("agency {} agency={}",
                               disabled ? "disabled" : "enabled", id);
  return PublishRegistryLocked(paths).status();
}

Status BindCurveKey(const PkiPaths& paths, std::string_view id,
                    std::string_view curve_public_key) {
  DOCBUS_RETURN_IF_ERROR(registry::ValidateCurvePublicKey(curve_public_key));
  DOCBUS_ASSIGN_OR_RETURN(auto file,
                          registry::RegistryFile::Read(paths.registry()));
  for (const registry::RegistryEntry& e : file.entries()) {
    if (e.curve_public_key == curve_public_key && e.id != id) {
      return Status(Code::kAlreadyExists,
                    "that CURVE key is already bound to agency " + e.id);
    }
  }
  registry::RegistryEntry* entry = file.Find(id);
  if (entry == nullptr) return NotListed(id);
  entry->curve_public_key = std::string(curve_public_key);
  DOCBUS_RETURN_IF_ERROR(file.Save());
  std::error_code ec;
  if (std::filesystem::is_directory(paths.agency_dir(id), ec)) {
    DOCBUS_RETURN_IF_ERROR(
        WriteFileAtomically(paths.agency_curve_public(id),
                            std::string(curve_public_key) + "\n", 0644));
    // The authority's copy of the old secret no longer matches the bound key.
    std::filesystem::remove(paths.agency_curve_secret(id), ec);
  }
  ComponentLogger("pki")->info("curve key bound agency={}", id);
  return Status::Ok();
}

Status RotateCurveKey(const std::filesystem::path& dir, std::string_view id,
                      std::string_view curve_public_key) {
  const PkiPaths paths(dir);
  DOCBUS_ASSIGN_OR_RETURN(FolderLock lock, LockPkiFolder(paths));
  DOCBUS_RETURN_IF_ERROR(BindCurveKey(paths, id, curve_public_key));
  return PublishRegistryLocked(paths).status();
}

}  // namespace docbus::pki
