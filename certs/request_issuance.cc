#include "certs/request_issuance.h"

#include "bus/core/files.h"
#include "bus/core/ids.h"
#include "bus/core/log.h"
#include "bus/crypto/certificate.h"
#include "bus/registry/agency_registry.h"
#include "bus/registry/registry_file.h"
#include "certs/agency_request.h"
#include "certs/ca_material.h"
#include "certs/certificate_factory.h"
#include "certs/folder_lock.h"
#include "certs/registry_publication.h"

namespace docbus::pki {
namespace {

Status CheckIssuance(const RequestIssuance& issuance,
                     const AgencyRequest& request) {
  if (!issuance.expected_agency.empty() &&
      issuance.expected_agency != request.agency_id) {
    return Status(Code::kSignerMismatch,
                  "the request is for agency " + request.agency_id + ", not " +
                      issuance.expected_agency.substr(0, 64));
  }
  if (issuance.name.empty()) {
    return Status(Code::kInvalidArgument,
                  "agency " + request.agency_id + " needs a name");
  }
  if (!issuance.parent.empty()) {
    DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(issuance.parent));
  }
  for (const std::string& alias : issuance.aliases) {
    DOCBUS_RETURN_IF_ERROR(registry::ValidateAgencyAlias(alias));
  }
  return Status::Ok();
}

Status CheckNotRegistered(const PkiPaths& paths,
                          registry::RegistryFile& registry_file,
                          const AgencyRequest& request) {
  if (registry_file.Find(request.agency_id) != nullptr) {
    return Status(Code::kAlreadyExists, "agency " + request.agency_id +
                                            " is already registered in " +
                                            paths.registry().string());
  }
  for (const registry::RegistryEntry& entry : registry_file.entries()) {
    if (entry.curve_public_key == request.curve_public_z85) {
      return Status(
          Code::kAlreadyExists,
          "the request's CURVE key is already bound to agency " + entry.id);
    }
  }
  Result<std::string> broker_key =
      ReadFileLimited(paths.broker_curve_public(), 1024);
  if (broker_key.ok() &&
      broker_key->substr(0, 40) == request.curve_public_z85) {
    return Status(Code::kAlreadyExists,
                  "the request's CURVE key is the broker's");
  }
  std::error_code ec;
  if (std::filesystem::exists(paths.agency_dir(request.agency_id), ec)) {
    return Status(Code::kAlreadyExists,
                  paths.agency_dir(request.agency_id).string() +
                      " exists; refusing to issue over it");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> IssueAgencyFromRequest(const std::filesystem::path& dir,
                                           const RequestIssuance& issuance) {
  DOCBUS_ASSIGN_OR_RETURN(AgencyRequest request,
                          ParseAgencyRequest(issuance.request_pem));
  DOCBUS_RETURN_IF_ERROR(CheckIssuance(issuance, request));
  const PkiPaths paths(dir);
  DOCBUS_ASSIGN_OR_RETURN(FolderLock lock, LockPkiFolder(paths));
  DOCBUS_ASSIGN_OR_RETURN(auto registry_file,
                          registry::RegistryFile::Read(paths.registry(), true));
  DOCBUS_RETURN_IF_ERROR(CheckNotRegistered(paths, registry_file, request));
  DOCBUS_ASSIGN_OR_RETURN(CaMaterial ca, LoadCa(paths));

  const std::string& id = request.agency_id;
  CertificateSpec spec;
  spec.subject.organization = issuance.name;
  spec.subject.common_name = id;
  spec.subject.serial_number = id;
  spec.public_key = request.public_key.get();
  spec.not_before_unix_s = issuance.validity.not_before_unix_s;
  spec.not_after_unix_s = issuance.validity.not_after_unix_s;
  DOCBUS_ASSIGN_OR_RETURN(crypto::X509Ptr cert,
                          IssueCertificate(spec, ca.cert.get(), ca.key.get()));

  registry::RegistryEntry entry;
  entry.id = id;
  entry.name = issuance.name;
  entry.parent = issuance.parent;
  entry.certificate = "agencies/" + id + "/cert.pem";
  entry.curve_public_key = request.curve_public_z85;
  entry.aliases = issuance.aliases;
  DOCBUS_RETURN_IF_ERROR(registry_file.Add(std::move(entry)));

  // The agency folder is new (CheckNotRegistered): if anything below fails,
  // removing it leaves the PKI as it was. Save validates the whole registry
  // (aliases, the parent, the certificate's CN) before replacing it.
  Status done = MakeDirectory(paths.agency_dir(id), 0755);
  if (done.ok())
    done = WriteCertificate(paths.agency_certificate(id), cert.get());
  if (done.ok()) {
    done = WriteFileAtomically(paths.agency_curve_public(id),
                               request.curve_public_z85 + "\n", 0644);
  }
  if (done.ok()) done = registry_file.Save();
  if (!done.ok()) {
    std::error_code ec;
    std::filesystem::remove_all(paths.agency_dir(id), ec);
    return done;
  }
  DOCBUS_ASSIGN_OR_RETURN(auto parsed,
                          crypto::Certificate::FromX509(std::move(cert)));
  ComponentLogger("pki")->info(
      "agency issued from its request agency={} serial={}", id,
      parsed->serial_hex());
  // Agents and brokers learn of the agency from the signed registry.
  Result<uint64_t> published = PublishRegistryLocked(paths);
  if (!published.ok()) {
    return Status(published.status().code(),
                  "agency " + id + " is registered, but registry.signed was "
                  "not published: " + published.status().message());
  }
  return id;
}

}  // namespace docbus::pki
