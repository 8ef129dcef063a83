#include "certs/agency_request.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <zmq.h>

#include <cstdio>

#include "bus/core/files.h"
#include "bus/core/ids.h"
#include "bus/registry/agency_registry.h"
#include "certs/ca_material.h"
#include "certs/certificate_factory.h"

namespace docbus::pki {
namespace {

using crypto::OpenSslError;

struct ReqFree {
  void operator()(X509_REQ* r) const { X509_REQ_free(r); }
};
using X509ReqPtr = std::unique_ptr<X509_REQ, ReqFree>;
struct ExtensionsFree {
  void operator()(STACK_OF(X509_EXTENSION) * s) const {
    sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
  }
};
using ExtensionsPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionsFree>;
struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, GeneralNamesFree>;

constexpr size_t kCurveKeyBytes = 32;

bool IsP256(EVP_PKEY* key) {
  char group[64] = {};
  size_t len = 0;
  return key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
         EVP_PKEY_get_group_name(key, group, sizeof(group), &len) == 1 &&
         std::string_view(group, len) == "prime256v1";
}

Result<std::string> CurveUri(std::string_view z85) {
  DOCBUS_RETURN_IF_ERROR(registry::ValidateCurvePublicKey(z85));
  const std::string text(z85);
  uint8_t raw[kCurveKeyBytes];
  if (zmq_z85_decode(raw, text.c_str()) == nullptr) {
    return Status(Code::kInvalidField, "CURVE public key is not Z85");
  }
  std::string uri(kCurveUriPrefix);
  for (uint8_t b : raw) {
    char hex[3];
    std::snprintf(hex, sizeof(hex), "%02x", b);
    uri += hex;
  }
  return uri;
}

Result<std::string> CurveKeyFromUri(std::string_view uri) {
  const Status bad(Code::kInvalidField,
                   "the request's subjectAltName URI is not " +
                       std::string(kCurveUriPrefix) + "<64 hex digits>");
  if (uri.substr(0, kCurveUriPrefix.size()) != kCurveUriPrefix) return bad;
  const std::string_view hex = uri.substr(kCurveUriPrefix.size());
  if (hex.size() != 2 * kCurveKeyBytes) return bad;
  uint8_t raw[kCurveKeyBytes];
  for (size_t i = 0; i < kCurveKeyBytes; ++i) {
    unsigned value = 0;
    for (char c : hex.substr(2 * i, 2)) {
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        value |= static_cast<unsigned>(c - 'a' + 10);
      } else {
        return bad;  // lowercase only: one spelling per key
      }
    }
    raw[i] = static_cast<uint8_t>(value);
  }
  char z85[41] = {};
  if (zmq_z85_encode(z85, raw, sizeof(raw)) == nullptr) return bad;
  return std::string(z85, 40);
}

Status AddCurveExtension(X509_REQ* req, const std::string& uri) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  GENERAL_NAME* name = GENERAL_NAME_new();
  ASN1_IA5STRING* value = ASN1_IA5STRING_new();
  if (!names || name == nullptr || value == nullptr ||
      ASN1_STRING_set(value, uri.data(), static_cast<int>(uri.size())) != 1) {
    GENERAL_NAME_free(name);
    ASN1_IA5STRING_free(value);
    return OpenSslError(Code::kInternal, "subjectAltName");
  }
  GENERAL_NAME_set0_value(name, GEN_URI, value);
  if (sk_GENERAL_NAME_push(names.get(), name) <= 0) {
    GENERAL_NAME_free(name);
    return OpenSslError(Code::kInternal, "subjectAltName");
  }
  ExtensionsPtr extensions(sk_X509_EXTENSION_new_null());
  X509_EXTENSION* ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get());
  if (!extensions || ext == nullptr ||
      sk_X509_EXTENSION_push(extensions.get(), ext) <= 0) {
    X509_EXTENSION_free(ext);
    return OpenSslError(Code::kInternal, "subjectAltName");
  }
  if (X509_REQ_add_extensions(req, extensions.get()) != 1) {
    return OpenSslError(Code::kInternal, "extension request");
  }
  return Status::Ok();
}

// The agency id from a subject that is exactly one CN.
Result<std::string> SubjectAgencyId(X509_REQ* req) {
  const X509_NAME* subject = X509_REQ_get_subject_name(req);
  if (X509_NAME_entry_count(subject) != 1 ||
      X509_NAME_get_index_by_NID(subject, NID_commonName, -1) != 0) {
    return Status(Code::kInvalidField,
                  "the request's subject must be exactly one CN (the agency "
                  "id)");
  }
  const ASN1_STRING* cn =
      X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, 0));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, cn);
  if (len < 0) return OpenSslError(Code::kInvalidField, "the request's CN");
  std::string id(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  if (Status valid = ValidateAgencyId(id); !valid.ok()) {
    return Status(Code::kInvalidField, "the request's CN: " + valid.message());
  }
  return id;
}

Result<std::string> RequestCurveKey(X509_REQ* req) {
  ExtensionsPtr extensions(X509_REQ_get_extensions(req));
  if (!extensions || sk_X509_EXTENSION_num(extensions.get()) != 1 ||
      OBJ_obj2nid(X509_EXTENSION_get_object(sk_X509_EXTENSION_value(
          extensions.get(), 0))) != NID_subject_alt_name) {
    return Status(Code::kInvalidField,
                  "the request must carry exactly one extension: the "
                  "subjectAltName with the CURVE key");
  }
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509V3_EXT_d2i(sk_X509_EXTENSION_value(extensions.get(), 0))));
  if (!names || sk_GENERAL_NAME_num(names.get()) != 1) {
    return Status(Code::kInvalidField,
                  "the request's subjectAltName must hold one URI");
  }
  int type = 0;
  const auto* uri = static_cast<const ASN1_IA5STRING*>(
      GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(names.get(), 0), &type));
  if (type != GEN_URI || uri == nullptr) {
    return Status(Code::kInvalidField,
                  "the request's subjectAltName must hold one URI");
  }
  return CurveKeyFromUri(std::string_view(
      reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
      static_cast<size_t>(ASN1_STRING_length(uri))));
}

}  // namespace

Result<std::string> MakeAgencyRequest(EVP_PKEY* key, std::string_view agency_id,
                                      std::string_view curve_public_z85) {
  if (Status valid = ValidateAgencyId(agency_id); !valid.ok()) {
    return Status(Code::kInvalidField, valid.message());
  }
  DOCBUS_ASSIGN_OR_RETURN(std::string uri, CurveUri(curve_public_z85));
  if (!IsP256(key)) {
    return Status(Code::kInvalidArgument,
                  "the agency's signing key must be ECDSA P-256");
  }
  X509ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
      X509_NAME_add_entry_by_NID(
          X509_REQ_get_subject_name(req.get()), NID_commonName, MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(agency_id.data()),
          static_cast<int>(agency_id.size()), -1, 0) != 1 ||
      X509_REQ_set_pubkey(req.get(), key) != 1) {
    return OpenSslError(Code::kInternal, "building the request");
  }
  DOCBUS_RETURN_IF_ERROR(AddCurveExtension(req.get(), uri));
  if (X509_REQ_sign(req.get(), key, EVP_sha256()) <= 0) {
    return OpenSslError(Code::kInternal, "signing the request");
  }
  crypto::BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509_REQ(out.get(), req.get()) != 1) {
    return OpenSslError(Code::kInternal, "PEM_write_bio_X509_REQ");
  }
  return crypto::MemoryBioContents(out.get());
}

Status WriteNewAgencyKey(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    return Status(Code::kAlreadyExists,
                  file.string() + " exists; a key is never overwritten");
  }
  const std::filesystem::path folder = file.parent_path();
  if (!folder.empty() && !std::filesystem::is_directory(folder, ec)) {
    DOCBUS_RETURN_IF_ERROR(MakeDirectory(folder, 0700));
  }
  DOCBUS_ASSIGN_OR_RETURN(crypto::EvpPkeyPtr key, GenerateP256Key());
  return WritePrivateKey(file, key.get());
}

Result<AgencyRequest> ParseAgencyRequest(std::string_view pem) {
  if (pem.size() > kMaxRequestPemBytes) {
    return Status(Code::kTooLarge, "certificate request larger than 16 KiB");
  }
  crypto::BioPtr in = crypto::MemoryBio(pem);
  X509ReqPtr req(in ? PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr)
                    : nullptr);
  if (!req) {
    return OpenSslError(Code::kMalformed,
                        "not a PEM certificate request (CSR)");
  }
  if (X509_REQ_get_version(req.get()) != X509_REQ_VERSION_1) {
    return Status(Code::kMalformed, "certificate request version is not 1");
  }
  AgencyRequest request;
  request.public_key.reset(X509_REQ_get_pubkey(req.get()));
  if (!IsP256(request.public_key.get())) {
    crypto::TakeOpenSslErrors();
    return Status(Code::kInvalidField, "the request's key is not ECDSA P-256");
  }
  if (X509_REQ_verify(req.get(), request.public_key.get()) != 1) {
    return OpenSslError(Code::kBadSignature,
                        "the request's signature does not verify with its "
                        "key (no proof of possession)");
  }
  DOCBUS_ASSIGN_OR_RETURN(request.agency_id, SubjectAgencyId(req.get()));
  DOCBUS_ASSIGN_OR_RETURN(request.curve_public_z85, RequestCurveKey(req.get()));
  return request;
}

}  // namespace docbus::pki
