// The national certificate authority of a docbus PKI folder (layout in
// README.md and pki_paths.h): creating the root CA, issuing agency and broker
// certificates with their CURVE key pairs, revoking, and publishing the CRL.
// Each call takes an exclusive lock on <dir>/root/lock, so concurrent runs
// of `docbus pki` on one folder are serialised. Every file is written
// crash-safely (temp + fsync + rename), private keys with mode 0600, and no
// key material is ever logged or printed. Failures return a Status and leave
// the folder as a valid PKI (the registry is validated before it is
// replaced).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus::pki {

// A new certificate starts this long before it is issued, and no longer:
// enough for a verifier whose clock lags the CA's a little, short enough
// that no signature can appear to predate the key it was made with.
// Backdating further is an explicit request (Validity::BackdatedDays,
// `docbus pki … --backdate-days`), made by tests that run on a fake clock.
inline constexpr int64_t kClockSkewSeconds = 5 * 60;
inline constexpr int64_t kRootValidityDays = 3650;
inline constexpr int64_t kAgencyValidityDays = 825;
inline constexpr int64_t kCrlValidityDays = 30;

struct Validity {
  int64_t not_before_unix_s = 0;
  int64_t not_after_unix_s = 0;

  // From kClockSkewSeconds before now (the system clock) to `days` after
  // now: what every production certificate gets.
  static Validity Days(int64_t days);
  // From `backdate_days` before now to `days` after now, for a certificate
  // that must already be valid at an earlier time (a test's fake clock).
  static Validity BackdatedDays(int64_t days, int64_t backdate_days);
  // Exactly this window (tests: an expired certificate, one not yet valid).
  static Validity Between(int64_t not_before_unix_s, int64_t not_after_unix_s) {
    return Validity{not_before_unix_s, not_after_unix_s};
  }
};

struct AuthorityOptions {
  std::string common_name = "docbus national root CA";
  std::string organization = "docbus";
  Validity validity = Validity::Days(kRootValidityDays);
};

// Creates `dir` with the root CA (root/key.pem 0600, root.pem), an empty CRL
// (crl.pem) and an empty registry.toml. kAlreadyExists if dir already holds
// a root; kIoError for the file system.
Status InitAuthority(const std::filesystem::path& dir,
                     const AuthorityOptions& options = {});

// Issues agency `id`: a P-256 key (agencies/<id>/key.pem 0600), a
// certificate with subject C=VN, O=<name>, CN=<id>, serialNumber=<id>
// (cert.pem), a CURVE key pair (curve.public, curve.secret 0600), and its
// registry entry. kInvalidField for a malformed id or parent, kInvalidArgument
// for an empty name, kAlreadyExists if the registry lists the id,
// kFailedPrecondition if `dir` has no root.
Status IssueAgency(
    const std::filesystem::path& dir, std::string_view id,
    std::string_view name, std::string_view parent,
    const Validity& validity = Validity::Days(kAgencyValidityDays));

// Issues the broker's certificate (CN "docbus broker") and key
// (broker/cert.pem, key.pem 0600) and its CURVE pair (broker/curve.public,
// curve.secret 0600). kAlreadyExists if broker/cert.pem exists.
Status IssueBroker(
    const std::filesystem::path& dir,
    const Validity& validity = Validity::Days(kAgencyValidityDays));

// Adds agency `id`'s current certificate to the CRL (re-signed with the next
// crlNumber) and marks it revoked in the registry. Running it again is
// harmless. kNotFound if the registry does not list the id.
Status Revoke(const std::filesystem::path& dir, std::string_view id);

// Re-signs crl.pem with the same entries, the next crlNumber, thisUpdate now
// and nextUpdate `next_update_days` from now.
Status WriteCrl(const std::filesystem::path& dir,
                int64_t next_update_days = kCrlValidityDays);

}  // namespace docbus::pki
