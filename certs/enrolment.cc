#include "certs/enrolment.h"

#include <vector>

#include "bus/core/base64.h"
#include "bus/core/files.h"
#include "bus/core/ids.h"
#include "bus/core/log.h"
#include "bus/crypto/signer.h"
#include "bus/crypto/trust_store.h"
#include "certs/agency_state.h"
#include "bus/crypto/verifier.h"
#include "bus/registry/agency_registry.h"
#include "bus/registry/registry_file.h"
#include "certs/folder_lock.h"
#include "certs/pki_paths.h"

namespace docbus::pki {
namespace {

constexpr size_t kMaxRequestBytes = 16 * 1024;
constexpr int64_t kClockSkewSeconds = 300;

}  // namespace

std::string EnrolmentRequest::SignedText() const {
  return std::string(kEnrolmentTag) + "\n" + agency_id + "\n" +
         curve_public_key + "\n";
}

Result<std::string> MakeEnrolmentRequest(const std::filesystem::path& key_pem,
                                         const std::filesystem::path& cert_pem,
                                         std::string_view curve_public) {
  DOCBUS_RETURN_IF_ERROR(registry::ValidateCurvePublicKey(curve_public));
  DOCBUS_ASSIGN_OR_RETURN(auto signer, crypto::Signer::Load(key_pem, cert_pem));
  DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(signer->agency_id()));
  EnrolmentRequest request;
  request.agency_id = signer->agency_id();
  request.curve_public_key = std::string(curve_public);
  const std::string signed_text = request.SignedText();
  DOCBUS_ASSIGN_OR_RETURN(std::string signature, signer->Sign(signed_text));
  return signed_text + Base64Encode(signature) + "\n";
}

Result<EnrolmentRequest> ParseEnrolmentRequest(std::string_view text) {
  if (text.size() > kMaxRequestBytes) {
    return Status(Code::kMalformed, "enrolment request too large");
  }
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return Status(Code::kMalformed,
                    "enrolment request must end with a newline");
    }
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  if (lines.size() != 4 || lines[0] != kEnrolmentTag) {
    return Status(Code::kMalformed, "not a docbus-enrol/v1 request of 4 lines");
  }
  EnrolmentRequest request;
  request.agency_id = std::string(lines[1]);
  request.curve_public_key = std::string(lines[2]);
  if (Status s = ValidateAgencyId(request.agency_id); !s.ok()) {
    return Status(Code::kMalformed, "enrolment request: " + s.message());
  }
  if (Status s = registry::ValidateCurvePublicKey(request.curve_public_key);
      !s.ok()) {
    return Status(Code::kMalformed, "enrolment request: " + s.message());
  }
  std::optional<std::string> signature = Base64Decode(lines[3]);
  if (!signature || signature->empty()) {
    return Status(Code::kMalformed, "enrolment signature is not base64");
  }
  request.signature_der = std::move(*signature);
  return request;
}

Result<std::string> AcceptEnrolment(const std::filesystem::path& dir,
                                    std::string_view text, const Clock& clock) {
  DOCBUS_ASSIGN_OR_RETURN(EnrolmentRequest request,
                          ParseEnrolmentRequest(text));
  const PkiPaths paths(dir);
  DOCBUS_ASSIGN_OR_RETURN(FolderLock lock, LockPkiFolder(paths));
  DOCBUS_ASSIGN_OR_RETURN(
      auto trust,
      crypto::TrustStore::Load(paths.root_certificate(), paths.crl(), clock));
  DOCBUS_ASSIGN_OR_RETURN(auto agencies,
                          registry::AgencyRegistry::Load(paths.registry()));
  const crypto::Verifier verifier(*trust, agencies);
  DOCBUS_RETURN_IF_ERROR(verifier.Verify(
      request.SignedText(), request.signature_der, request.agency_id));

  DOCBUS_ASSIGN_OR_RETURN(int64_t signed_at,
                          crypto::SigningTime(request.signature_der));
  const int64_t now = clock.NowUnixMillis() / 1000;
  const int64_t max_age =
      std::chrono::duration_cast<std::chrono::seconds>(kMaxEnrolmentAge)
          .count();
  if (signed_at > now + kClockSkewSeconds || now - signed_at > max_age) {
    return Status(Code::kExpired,
                  "enrolment request was signed outside the accepted window "
                  "(at most 7 days old); make a new one");
  }
  const registry::Agency* holder =
      agencies->FindByCurveKey(request.curve_public_key);
  if (holder != nullptr && holder->id != request.agency_id) {
    return Status(Code::kAlreadyExists,
                  "that CURVE key is already bound to agency " + holder->id);
  }

  DOCBUS_RETURN_IF_ERROR(
      BindCurveKey(paths, request.agency_id, request.curve_public_key));
  ComponentLogger("pki")->info("curve key enrolled agency={}",
                               request.agency_id);
  return request.agency_id;
}

Result<std::string> AcceptEnrolment(const std::filesystem::path& dir,
                                    std::string_view request) {
  const RealClock clock;
  return AcceptEnrolment(dir, request, clock);
}

}  // namespace docbus::pki
