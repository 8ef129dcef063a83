// The root CA's certificate and key as the authority's operations use them,
// and the writing of issued objects into the PKI folder (crash-safe; private
// keys 0600, their PEM text wiped after use). Shared by authority.cc and
// request_issuance.cc only. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>

#include "bus/core/status.h"
#include "bus/crypto/openssl_util.h"
#include "certs/pki_paths.h"

namespace docbus::pki {

struct CaMaterial {
  crypto::X509Ptr cert;
  crypto::EvpPkeyPtr key;
};

// root.pem and root/key.pem, checked to belong together
// (kFailedPrecondition otherwise).
Result<CaMaterial> LoadCa(const PkiPaths& paths);

Status WritePrivateKey(const std::filesystem::path& file, EVP_PKEY* key);
Status WriteCertificate(const std::filesystem::path& file, X509* cert);

// The system clock, in seconds.
int64_t NowSeconds();

}  // namespace docbus::pki
