// Issuing an agency's certificate from its request (agency_request.h): the
// operator's side of onboarding. The CA checks the request, issues the
// certificate for the request's own public key and registers the request's
// CURVE public key; it writes no private key and no CURVE secret for the
// agency: those never leave the agency. Takes the PKI folder's lock; on any
// refusal the folder is left exactly as it was.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"
#include "certs/authority.h"

namespace docbus::pki {

struct RequestIssuance {
  std::string request_pem;
  std::string name;                  // the agency's display name (required)
  std::string parent;                // parent organ id, "" at the top
  std::vector<std::string> aliases;  // other ids its systems use
  // When not empty, the request's CN must be this id (the operator says
  // which agency the request is expected from): kSignerMismatch otherwise.
  std::string expected_agency;
  Validity validity = Validity::Days(kAgencyValidityDays);
};

// Issues agencies/<id>/cert.pem (subject C=VN, O=<name>, CN=<id>,
// serialNumber=<id>, for the request's key), agencies/<id>/curve.public and
// the registry entry, publishes registry.signed (registry_publication.h),
// and returns the agency id. Refusals: ParseAgencyRequest's
// codes (kMalformed, kTooLarge, kBadSignature, kInvalidField), kSignerMismatch
// for a CN other than expected_agency, kInvalidArgument for an empty name,
// kInvalidField for a malformed parent or alias, kAlreadyExists for an id
// already registered or a CURVE key already bound to an agency (or the
// broker), kFailedPrecondition if `dir` has no root.
Result<std::string> IssueAgencyFromRequest(const std::filesystem::path& dir,
                                           const RequestIssuance& issuance);

}  // namespace docbus::pki
