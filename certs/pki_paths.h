// Where each file of a PKI folder lives (layout documented in README.md and
// common to `docbus pki`, the broker, the agents and the tests). Pure path
// arithmetic: no I/O, thread-safe.
#pragma once

#include <filesystem>
#include <string_view>

namespace docbus::pki {

class PkiPaths {
 public:
  explicit PkiPaths(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path root_certificate() const { return dir_ / "root.pem"; }
  std::filesystem::path root_dir() const { return dir_ / "root"; }
  std::filesystem::path root_key() const { return root_dir() / "key.pem"; }
  std::filesystem::path crl() const { return dir_ / "crl.pem"; }
  std::filesystem::path registry() const { return dir_ / "registry.toml"; }
  // registry.toml + crl.pem signed by the root (bus/registry/FORMAT.md).
  std::filesystem::path signed_registry() const {
    return dir_ / "registry.signed";
  }

  std::filesystem::path broker_dir() const { return dir_ / "broker"; }
  std::filesystem::path broker_certificate() const {
    return broker_dir() / "cert.pem";
  }
  std::filesystem::path broker_key() const { return broker_dir() / "key.pem"; }
  std::filesystem::path broker_curve_public() const {
    return broker_dir() / "curve.public";
  }
  std::filesystem::path broker_curve_secret() const {
    return broker_dir() / "curve.secret";
  }

  // The caller validates `id` (ValidateAgencyId) before building paths.
  std::filesystem::path agency_dir(std::string_view id) const {
    return dir_ / "agencies" / std::filesystem::path(id);
  }
  std::filesystem::path agency_certificate(std::string_view id) const {
    return agency_dir(id) / "cert.pem";
  }
  std::filesystem::path agency_key(std::string_view id) const {
    return agency_dir(id) / "key.pem";
  }
  std::filesystem::path agency_curve_public(std::string_view id) const {
    return agency_dir(id) / "curve.public";
  }
  std::filesystem::path agency_curve_secret(std::string_view id) const {
    return agency_dir(id) / "curve.secret";
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace docbus::pki
