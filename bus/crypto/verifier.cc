#include "bus/crypto/verifier.h"

#include <openssl/err.h>
#include <openssl/objects.h>

#include <cstdio>
#include <cstdlib>

#include "bus/crypto/signer_info_check.h"

namespace docbus::crypto {
namespace {

// A P-256 CMS signature with signed attributes is about 250 bytes; anything
// this large is not ours, and is refused before OpenSSL parses it.
constexpr size_t kMaxSignatureBytes = 64 * 1024;

// Bytes in the signature field that are not a signature docbus makes: the
// frame and header were fine, so the refusal is of the signature
// (kBadSignature), as for one that does not verify.
Status NotASignature(std::string why) {
  ERR_clear_error();
  return Status(Code::kBadSignature, std::move(why));
}

Result<CmsPtr> ParseSignature(std::string_view der) {
  if (der.empty()) return NotASignature("empty signature");
  if (der.size() > kMaxSignatureBytes) {
    return NotASignature("signature too large");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!cms) {
    return Status(Code::kBadSignature,
                  "signature is not DER CMS: " + TakeOpenSslErrors());
  }
  if (p != end) return NotASignature("trailing bytes after the CMS signature");
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    return NotASignature("CMS is not SignedData");
  }
  return cms;
}

// The one signer of a detached signature over id-data with a SHA-2 digest.
// A signer who may pick a collision-prone digest (SHA-1, MD5) could later
// disown what it signed; only the SHA-2 family is accepted.
Result<CMS_SignerInfo*> OnlySigner(CMS_ContentInfo& cms) {
  if (CMS_is_detached(&cms) != 1) {
    return NotASignature(
        "CMS signature carries its content (must be detached)");
  }
  if (OBJ_obj2nid(CMS_get0_eContentType(&cms)) != NID_pkcs7_data) {
    return NotASignature("CMS signature is not over id-data");
  }
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(&cms);
  if (signers == nullptr || sk_CMS_SignerInfo_num(signers) != 1) {
    return NotASignature("CMS signature must have exactly one signer");
  }
  CMS_SignerInfo* signer = sk_CMS_SignerInfo_value(signers, 0);
  X509_ALGOR* digest_algorithm = nullptr;
  CMS_SignerInfo_get0_algs(signer, nullptr, nullptr, &digest_algorithm,
                           nullptr);
  if (Sha2DigestMethod(digest_algorithm) == nullptr) {
    return Status(Code::kBadSignature,
                  "signature digest must be SHA-256, SHA-384 or SHA-512");
  }
  return signer;
}

// `signer`'s signature over `content` with `cert`'s key, which the caller
// has matched to the signer identifier and validated.
Status CheckSignedBy(CMS_SignerInfo& signer, const Certificate& cert,
                     std::string_view content, const std::string& who) {
  Status s = CheckSignerInfo(signer, content, *cert.public_key());
  if (s.ok()) return s;
  return Status(s.code(), "signature of " + who + ": " + s.message());
}

}  // namespace

Verifier::Verifier(const TrustStore& trust,
                   std::shared_ptr<const registry::AgencyRegistry> registry)
    : trust_(trust), registry_(std::move(registry)) {
  if (!registry_) {
    std::fprintf(stderr, "docbus: crypto::Verifier needs a registry\n");
    std::abort();
  }
  certificates_.reserve(registry_->agencies().size());
  for (const registry::Agency& agency : registry_->agencies()) {
    auto cert = Certificate::FromPem(agency.certificate_pem);
    if (cert.ok()) {
      certificates_.push_back({std::move(cert).value(), Status::Ok()});
    } else {
      certificates_.push_back(
          {nullptr, Status(Code::kUntrustedCertificate,
                           "certificate of " + agency.id +
                               " does not parse: " + cert.status().message())});
    }
  }
}

Status Verifier::Verify(std::string_view content,
                        std::string_view signature_der,
                        std::string_view claimed_agency) const {
  const registry::Agency* agency = registry_->Find(claimed_agency);
  if (agency == nullptr) {
    return Status(Code::kUnknownAgency,
                  "agency " + std::string(claimed_agency.substr(0, 64)) +
                      " is not registered");
  }
  if (!agency->may_exchange()) {
    return Status(Code::kAgencyRevoked,
                  "agency " + agency->id + " is " + agency->state());
  }
  const size_t index =
      static_cast<size_t>(agency - registry_->agencies().data());
  const AgencyCertificate& entry = certificates_[index];
  if (!entry.certificate) return entry.problem;
  const Certificate& cert = *entry.certificate;

  DOCBUS_ASSIGN_OR_RETURN(CmsPtr cms, ParseSignature(signature_der));
  DOCBUS_ASSIGN_OR_RETURN(CMS_SignerInfo * signer, OnlySigner(*cms));

  if (CMS_SignerInfo_cert_cmp(signer, cert.x509()) != 0) {
    for (size_t i = 0; i < certificates_.size(); ++i) {
      const auto& other = certificates_[i].certificate;
      if (i != index && other &&
          CMS_SignerInfo_cert_cmp(signer, other->x509()) == 0) {
        ERR_clear_error();
        return Status(Code::kSignerMismatch,
                      "signed by agency " + registry_->agencies()[i].id +
                          ", claimed to be from " + agency->id);
      }
    }
    ERR_clear_error();
    return Status(Code::kBadSignature,
                  "signer is not the registered certificate of " + agency->id);
  }
  if (cert.common_name() != agency->id) {
    return Status(
        Code::kSignerMismatch,
        "certificate names " + cert.common_name() + ", not " + agency->id);
  }

  DOCBUS_RETURN_IF_ERROR(trust_.Check(cert));
  return CheckSignedBy(*signer, cert, content, agency->id);
}

Status VerifyDetachedSignature(std::string_view content,
                               std::string_view signature_der,
                               const Certificate& signer_certificate) {
  DOCBUS_ASSIGN_OR_RETURN(CmsPtr cms, ParseSignature(signature_der));
  DOCBUS_ASSIGN_OR_RETURN(CMS_SignerInfo * signer, OnlySigner(*cms));
  if (CMS_SignerInfo_cert_cmp(signer, signer_certificate.x509()) != 0) {
    ERR_clear_error();
    return Status(Code::kBadSignature,
                  "signed by another key than " +
                      signer_certificate.common_name() + "'s");
  }
  return CheckSignedBy(*signer, signer_certificate, content,
                       signer_certificate.common_name());
}

Result<int64_t> SigningTime(std::string_view signature_der) {
  DOCBUS_ASSIGN_OR_RETURN(CmsPtr cms, ParseSignature(signature_der));
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
  if (signers == nullptr || sk_CMS_SignerInfo_num(signers) != 1) {
    return NotASignature("CMS signature must have exactly one signer");
  }
  CMS_SignerInfo* signer = sk_CMS_SignerInfo_value(signers, 0);
  const int at = CMS_signed_get_attr_by_NID(signer, NID_pkcs9_signingTime, -1);
  if (at < 0) return Status(Code::kNotFound, "signature has no signing time");
  X509_ATTRIBUTE* attr = CMS_signed_get_attr(signer, at);
  ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attr, 0);
  if (value == nullptr || (value->type != V_ASN1_UTCTIME &&
                           value->type != V_ASN1_GENERALIZEDTIME)) {
    return NotASignature("signing time attribute is not a time");
  }
  auto t = AsnTimeToUnix(value->value.utctime);
  if (!t.ok()) return NotASignature(t.status().message());
  return t;
}

}  // namespace docbus::crypto
