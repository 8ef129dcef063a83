// Publishing the registry: registry.toml, the certificates it names and
// crl.pem, as one signed object (<pki>/registry.signed, format in
// bus/registry/FORMAT.md) with the next serial, signed by the root CA's key.
// The broker notices the new file by itself and pushes it to every agent.
// Every command that changes the registry or the CRL calls it.
#pragma once

#include <cstdint>
#include <filesystem>

#include "bus/core/status.h"
#include "certs/pki_paths.h"

namespace docbus::pki {

// Takes the folder's lock and publishes. Returns the new serial (1 when
// there was no registry.signed). Written crash-safely: a crash leaves the
// old file or the new one. kFailedPrecondition if `pki_dir` has no root,
// kInvalidArgument for a registry that does not load (nothing written), and
// kBadSignature / kMalformed if the registry.signed in place is not the
// root's (an operator must look at it: it is never silently replaced).
Result<uint64_t> PublishRegistry(const std::filesystem::path& pki_dir);

// The same with the folder's lock already held by the caller.
Result<uint64_t> PublishRegistryLocked(const PkiPaths& paths);

}  // namespace docbus::pki
