#include "certs/authority.h"

#include "bus/core/ids.h"
#include "bus/core/log.h"
#include "bus/crypto/certificate.h"
#include "bus/crypto/openssl_util.h"
#include "bus/core/files.h"
#include "bus/registry/registry_file.h"
#include "certs/ca_material.h"
#include "certs/certificate_factory.h"
#include "certs/curve_keys.h"
#include "certs/folder_lock.h"
#include "certs/pki_paths.h"

namespace docbus::pki {
namespace {

constexpr int64_t kDaySeconds = 86400;
constexpr uint64_t kMaxPemBytes = 64u << 20;

// Re-signs the CRL with `spec`'s entries and the next number.
Status PublishCrl(const PkiPaths& paths, const CaMaterial& ca, CrlSpec spec,
                  int64_t next_update_days) {
  const int64_t now = NowSeconds();
  spec.number += 1;
  spec.this_update_unix_s = now - kDaySeconds;
  spec.next_update_unix_s = now + next_update_days * kDaySeconds;
  DOCBUS_ASSIGN_OR_RETURN(crypto::X509CrlPtr crl,
                          BuildCrl(spec, ca.cert.get(), ca.key.get()));
  DOCBUS_ASSIGN_OR_RETURN(std::string pem, crypto::CrlToPem(crl.get()));
  return WriteFileAtomically(paths.crl(), pem, 0644);
}

// The current CRL's contents, after checking the root signed it.
Result<CrlSpec> CurrentCrl(const PkiPaths& paths, const CaMaterial& ca) {
  DOCBUS_ASSIGN_OR_RETURN(std::string pem,
                          ReadFileLimited(paths.crl(), kMaxPemBytes));
  DOCBUS_ASSIGN_OR_RETURN(crypto::X509CrlPtr crl, crypto::ParseCrlPem(pem));
  if (X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.cert.get())) != 1) {
    return crypto::OpenSslError(
        Code::kFailedPrecondition,
        paths.crl().string() + " is not signed by the root");
  }
  return ReadCrl(crl.get());
}

// Key + certificate for a subject, issued by the CA, written to key_file
// (0600) and cert_file.
Result<std::string> IssueKeyAndCertificate(
    const CaMaterial& ca, SubjectName subject, const Validity& validity,
    const std::filesystem::path& key_file,
    const std::filesystem::path& cert_file) {
  DOCBUS_ASSIGN_OR_RETURN(crypto::EvpPkeyPtr key, GenerateP256Key());
  CertificateSpec spec;
  spec.subject = std::move(subject);
  spec.public_key = key.get();
  spec.not_before_unix_s = validity.not_before_unix_s;
  spec.not_after_unix_s = validity.not_after_unix_s;
  DOCBUS_ASSIGN_OR_RETURN(crypto::X509Ptr cert,
                          IssueCertificate(spec, ca.cert.get(), ca.key.get()));
  DOCBUS_RETURN_IF_ERROR(WritePrivateKey(key_file, key.get()));
  DOCBUS_RETURN_IF_ERROR(WriteCertificate(cert_file, cert.get()));
  DOCBUS_ASSIGN_OR_RETURN(auto parsed,
                          crypto::Certificate::FromX509(std::move(cert)));
  return parsed->serial_hex();
}

std::string OrganizationOf(const X509* cert) {
  const X509_NAME* subject = X509_get_subject_name(cert);
  const int at = X509_NAME_get_index_by_NID(subject, NID_organizationName, -1);
  if (at < 0) return "docbus";
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(
      &utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
  if (len < 0) return "docbus";
  std::string out(reinterpret_cast<char*>(utf8), len);
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

Validity Validity::Days(int64_t days) {
  const int64_t now = NowSeconds();
  return Validity{now - kClockSkewSeconds, now + days * kDaySeconds};
}

Validity Validity::BackdatedDays(int64_t days, int64_t backdate_days) {
  const int64_t now = NowSeconds();
  return Validity{now - backdate_days * kDaySeconds, now + days * kDaySeconds};
}

Status InitAuthority(const std::filesystem::path& dir,
                     const AuthorityOptions& options) {
  const PkiPaths paths(dir);
  std::error_code ec;
  for (const auto& file : {paths.root_certificate(), paths.root_key(),
                           paths.crl(), paths.registry()}) {
    if (std::filesystem::exists(file, ec)) {
      return Status(Code::kAlreadyExists,
                    file.string() + " exists; refusing to replace a PKI");
    }
  }
  DOCBUS_RETURN_IF_ERROR(MakeDirectory(dir, 0755));
  DOCBUS_RETURN_IF_ERROR(MakeDirectory(paths.root_dir(), 0700));
  DOCBUS_ASSIGN_OR_RETURN(FolderLock lock, LockPkiFolder(paths));

  CaMaterial ca;
  DOCBUS_ASSIGN_OR_RETURN(ca.key, GenerateP256Key());
  CertificateSpec spec;
  spec.subject.organization = options.organization;
  spec.subject.common_name = options.common_name;
  spec.public_key = ca.key.get();
  spec.not_before_unix_s = options.validity.not_before_unix_s;
  spec.not_after_unix_s = options.validity.not_after_unix_s;
  spec.is_ca = true;
  DOCBUS_ASSIGN_OR_RETURN(ca.cert,
                          IssueCertificate(spec, nullptr, ca.key.get()));
  DOCBUS_RETURN_IF_ERROR(WritePrivateKey(paths.root_key(), ca.key.get()));
  DOCBUS_RETURN_IF_ERROR(
      WriteCertificate(paths.root_certificate(), ca.cert.get()));
  CrlSpec empty;
  empty.number = 0;  // the first CRL is number 1
  DOCBUS_RETURN_IF_ERROR(
      PublishCrl(paths, ca, std::move(empty), kCrlValidityDays));
  DOCBUS_ASSIGN_OR_RETURN(auto registry_file,
                          registry::RegistryFile::Read(paths.registry(), true));
  DOCBUS_RETURN_IF_ERROR(registry_file.Save());
  ComponentLogger("pki")->info("authority created dir={}", dir.string());
  return Status::Ok();
}

Status IssueAgency(const std::filesystem::path& dir, std::string_view id,
                   std::string_view name, std::string_view parent,
                   const Validity& validity) {
  DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(id));
  if (!parent.empty()) DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(parent));
  if (name.empty()) {
    return Status(Code::kInvalidArgument,
                  "agency " + std::string(id) + " needs a name");
  }
  const PkiPaths paths(dir);
  DOCBUS_ASSIGN_OR_RETURN(FolderLock lock, LockPkiFolder(paths));
  DOCBUS_ASSIGN_OR_RETURN(auto registry_file,
                          registry::RegistryFile::Read(paths.registry(), true));
  if (registry_file.Find(id) != nullptr) {
    return Status(Code::kAlreadyExists, "agency " + std::string(id) +
                                            " is already registered in " +
                                            paths.registry().string());
  }
  DOCBUS_ASSIGN_OR_RETURN(CaMaterial ca, LoadCa(paths));
  DOCBUS_RETURN_IF_ERROR(MakeDirectory(paths.agency_dir(id), 0755));

  SubjectName subject;
  subject.organization = std::string(name);
  subject.common_name = std::string(id);
  subject.serial_number = std::string(id);
  DOCBUS_ASSIGN_OR_RETURN(std::string serial,
                          IssueKeyAndCertificate(ca, std::move(subject),
                                                 validity, paths.agency_key(id),
                                                 paths.agency_certificate(id)));
  DOCBUS_ASSIGN_OR_RETURN(CurveKeys curve, GenerateCurveKeys());
  Status written = WriteCurveKeys(paths.agency_dir(id), curve);
  OPENSSL_cleanse(curve.secret_z85.data(), curve.secret_z85.size());
  DOCBUS_RETURN_IF_ERROR(written);

  registry::RegistryEntry entry;
  entry.id = std::string(id);
  entry.name = std::string(name);
  entry.parent = std::string(parent);
  entry.certificate = "agencies/" + std::string(id) + "/cert.pem";
  entry.curve_public_key = curve.public_z85;
  DOCBUS_RETURN_IF_ERROR(registry_file.Add(std::move(entry)));
  DOCBUS_RETURN_IF_ERROR(registry_file.Save());
  ComponentLogger("pki")->info("agency issued agency={} serial={}", id, serial);
  return Status::Ok();
}

Status IssueBroker(const std::filesystem::path& dir, const Validity& validity) {
  const PkiPaths paths(dir);
  DOCBUS_ASSIGN_OR_RETURN(FolderLock lock, LockPkiFolder(paths));
  std::error_code ec;
  if (std::filesystem::exists(paths.broker_certificate(), ec)) {
    return Status(Code::kAlreadyExists,
                  paths.broker_certificate().string() + " exists");
  }
  DOCBUS_ASSIGN_OR_RETURN(CaMaterial ca, LoadCa(paths));
  DOCBUS_RETURN_IF_ERROR(MakeDirectory(paths.broker_dir(), 0755));
  SubjectName subject;
  subject.organization = OrganizationOf(ca.cert.get());
  subject.common_name = "docbus broker";
  DOCBUS_ASSIGN_OR_RETURN(
      std::string serial,
      IssueKeyAndCertificate(ca, std::move(subject), validity,
                             paths.broker_key(), paths.broker_certificate()));
  DOCBUS_ASSIGN_OR_RETURN(CurveKeys curve, GenerateCurveKeys());
  Status written = WriteCurveKeys(paths.broker_dir(), curve);
  OPENSSL_cleanse(curve.secret_z85.data(), curve.secret_z85.size());
  DOCBUS_RETURN_IF_ERROR(written);
  ComponentLogger("pki")->info("broker issued serial={}", serial);
  return Status::Ok();
}

Status Revoke(const std::filesystem::path& dir, std::string_view id) {
  const PkiPaths paths(dir);
  DOCBUS_ASSIGN_OR_RETURN(FolderLock lock, LockPkiFolder(paths));
  DOCBUS_ASSIGN_OR_RETURN(auto registry_file,
                          registry::RegistryFile::Read(paths.registry()));
  registry::RegistryEntry* entry = registry_file.Find(id);
  if (entry == nullptr) {
    return Status(Code::kNotFound, "agency " + std::string(id.substr(0, 64)) +
                                       " is not in " +
                                       paths.registry().string());
  }
  std::filesystem::path cert_file(entry->certificate);
  if (cert_file.is_relative()) cert_file = paths.dir() / cert_file;
  DOCBUS_ASSIGN_OR_RETURN(auto cert, crypto::Certificate::FromFile(cert_file));
  DOCBUS_ASSIGN_OR_RETURN(CaMaterial ca, LoadCa(paths));
  DOCBUS_ASSIGN_OR_RETURN(CrlSpec crl, CurrentCrl(paths, ca));
  bool listed = false;
  for (const RevokedCertificate& r : crl.revoked) {
    listed = listed || r.serial_hex == cert->serial_hex();
  }
  if (!listed) crl.revoked.push_back({cert->serial_hex(), NowSeconds()});
  // CRL first: if we stop between the two writes, running Revoke again
  // completes the registry, and the certificate is refused meanwhile.
  DOCBUS_RETURN_IF_ERROR(
      PublishCrl(paths, ca, std::move(crl), kCrlValidityDays));
  entry->revoked = true;
  DOCBUS_RETURN_IF_ERROR(registry_file.Save());
  ComponentLogger("pki")->info("agency revoked agency={} serial={}", id,
                               cert->serial_hex());
  return Status::Ok();
}

Status WriteCrl(const std::filesystem::path& dir, int64_t next_update_days) {
  if (next_update_days < 1) {
    return Status(Code::kInvalidArgument,
                  "CRL next update must be at least 1 day");
  }
  const PkiPaths paths(dir);
  DOCBUS_ASSIGN_OR_RETURN(FolderLock lock, LockPkiFolder(paths));
  DOCBUS_ASSIGN_OR_RETURN(CaMaterial ca, LoadCa(paths));
  DOCBUS_ASSIGN_OR_RETURN(CrlSpec crl, CurrentCrl(paths, ca));
  DOCBUS_RETURN_IF_ERROR(
      PublishCrl(paths, ca, std::move(crl), next_update_days));
  ComponentLogger("pki")->info("crl published dir={}", dir.string());
  return Status::Ok();
}

}  // namespace docbus::pki
