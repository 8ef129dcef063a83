#include "certs/certificate_factory.h"

#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <memory>

namespace docbus::pki {
namespace {

using crypto::OpenSslError;

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct AsnIntegerFree {
  void operator()(ASN1_INTEGER* i) const { ASN1_INTEGER_free(i); }
};
struct AsnTimeFree {
  void operator()(ASN1_TIME* t) const { ASN1_TIME_free(t); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using AsnIntegerPtr = std::unique_ptr<ASN1_INTEGER, AsnIntegerFree>;
using AsnTimePtr = std::unique_ptr<ASN1_TIME, AsnTimeFree>;

// At most `max_chars` UTF-8 characters of `s`, cut on a character boundary.
std::string TruncateUtf8(const std::string& s, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) return s.substr(0, i);
      ++chars;
    }
  }
  return s;
}

Status AddNameEntry(X509_NAME* name, const char* field,
                    const std::string& value) {
  if (value.empty()) return Status::Ok();
  if (X509_NAME_add_entry_by_txt(
          name, field, MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(value.data()),
          static_cast<int>(value.size()), -1, 0) != 1) {
    return OpenSslError(Code::kInvalidArgument,
                        std::string("subject ") + field + " not accepted");
  }
  return Status::Ok();
}

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) {
    X509_EXTENSION_free(ext);
    return OpenSslError(Code::kInternal, std::string("extension ") + value);
  }
  X509_EXTENSION_free(ext);
  return Status::Ok();
}

Result<AsnIntegerPtr> SerialFromHex(const std::string& hex) {
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, hex.c_str()) == 0) {
    return OpenSslError(Code::kInvalidArgument, "serial " + hex);
  }
  BnPtr bn(raw);
  AsnIntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) return OpenSslError(Code::kInternal, "BN_to_ASN1_INTEGER");
  return serial;
}

Result<std::string> SerialToHex(const ASN1_INTEGER* serial) {
  BnPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  char* hex = bn ? BN_bn2hex(bn.get()) : nullptr;
  if (hex == nullptr) return OpenSslError(Code::kInvalidArgument, "CRL serial");
  std::string out = hex;
  OPENSSL_free(hex);
  return out;
}

}  // namespace

Result<crypto::EvpPkeyPtr> GenerateP256Key() {
  crypto::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return OpenSslError(Code::kInternal, "generating a P-256 key");
  return key;
}

Result<crypto::X509Ptr> IssueCertificate(const CertificateSpec& spec,
                                         X509* issuer, EVP_PKEY* issuer_key) {
  if (spec.not_after_unix_s <= spec.not_before_unix_s) {
    return Status(Code::kInvalidArgument,
                  "certificate validity ends before it starts");
  }
  crypto::X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return OpenSslError(Code::kInternal, "X509_new");
  }
  unsigned char random[16];
  if (RAND_bytes(random, sizeof(random)) != 1) {
    return OpenSslError(Code::kInternal, "RAND_bytes");
  }
  random[0] &= 0x7f;  // a positive INTEGER
  random[0] |= 0x40;  // and always 16 bytes long
  BnPtr serial(BN_bin2bn(random, sizeof(random), nullptr));
  if (!serial || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(
                                                      cert.get())) == nullptr) {
    return OpenSslError(Code::kInternal, "serial number");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()),
                    static_cast<time_t>(spec.not_before_unix_s)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()),
                    static_cast<time_t>(spec.not_after_unix_s)) == nullptr) {
    return OpenSslError(Code::kInternal, "validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  DOCBUS_RETURN_IF_ERROR(AddNameEntry(name, "C", spec.subject.country));
  DOCBUS_RETURN_IF_ERROR(
      AddNameEntry(name, "O", TruncateUtf8(spec.subject.organization, 64)));
  DOCBUS_RETURN_IF_ERROR(AddNameEntry(name, "CN", spec.subject.common_name));
  DOCBUS_RETURN_IF_ERROR(
      AddNameEntry(name, "serialNumber", spec.subject.serial_number));
  if (X509_set_issuer_name(cert.get(), issuer != nullptr
                                           ? X509_get_subject_name(issuer)
                                           : name) != 1 ||
      X509_set_pubkey(cert.get(), spec.public_key) != 1) {
    return OpenSslError(Code::kInternal, "issuer or public key");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert.get(), cert.get(),
                 nullptr, nullptr, 0);
  if (spec.is_ca) {
    DOCBUS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints,
                                        "critical,CA:TRUE"));
    DOCBUS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage,
                                        "critical,keyCertSign,cRLSign"));
    DOCBUS_RETURN_IF_ERROR(
        AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  } else {
    DOCBUS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints,
                                        "critical,CA:FALSE"));
    DOCBUS_RETURN_IF_ERROR(
        AddExtension(cert.get(), &ctx, NID_key_usage,
                     "critical,digitalSignature,nonRepudiation"));
    DOCBUS_RETURN_IF_ERROR(
        AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
    DOCBUS_RETURN_IF_ERROR(AddExtension(
        cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
    return OpenSslError(Code::kInternal, "X509_sign");
  }
  return cert;
}

Result<crypto::X509CrlPtr> BuildCrl(const CrlSpec& spec, X509* issuer,
                                    EVP_PKEY* issuer_key) {
  crypto::X509CrlPtr crl(X509_CRL_new());
  AsnTimePtr this_update(ASN1_TIME_set(nullptr, spec.this_update_unix_s));
  AsnTimePtr next_update(ASN1_TIME_set(nullptr, spec.next_update_unix_s));
  if (!crl || !this_update || !next_update ||
      X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer)) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
    return OpenSslError(Code::kInternal, "building the CRL");
  }
  for (const RevokedCertificate& entry : spec.revoked) {
    DOCBUS_ASSIGN_OR_RETURN(AsnIntegerPtr serial,
                            SerialFromHex(entry.serial_hex));
    AsnTimePtr when(ASN1_TIME_set(nullptr, entry.revoked_unix_s));
    X509_REVOKED* revoked = X509_REVOKED_new();
    if (revoked == nullptr || !when ||
        X509_REVOKED_set_serialNumber(revoked, serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(revoked, when.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), revoked) != 1) {
      X509_REVOKED_free(revoked);
      return OpenSslError(Code::kInternal, "adding a CRL entry");
    }
  }
  AsnIntegerPtr number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_int64(number.get(), spec.number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) !=
          1) {
    return OpenSslError(Code::kInternal, "crlNumber");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, nullptr, nullptr, crl.get(), 0);
  X509_EXTENSION* aki = X509V3_EXT_conf_nid(
      nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
  if (aki == nullptr || X509_CRL_add_ext(crl.get(), aki, -1) != 1) {
    X509_EXTENSION_free(aki);
    return OpenSslError(Code::kInternal, "CRL authorityKeyIdentifier");
  }
  X509_EXTENSION_free(aki);
  if (X509_CRL_sort(crl.get()) != 1 ||
      X509_CRL_sign(crl.get(), issuer_key, EVP_sha256()) <= 0) {
    return OpenSslError(Code::kInternal, "X509_CRL_sign");
  }
  return crl;
}

Result<CrlSpec> ReadCrl(X509_CRL* crl) {
  CrlSpec spec;
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl);
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    const X509_REVOKED* r = sk_X509_REVOKED_value(revoked, i);
    RevokedCertificate entry;
    DOCBUS_ASSIGN_OR_RETURN(entry.serial_hex,
                            SerialToHex(X509_REVOKED_get0_serialNumber(r)));
    DOCBUS_ASSIGN_OR_RETURN(
        entry.revoked_unix_s,
        crypto::AsnTimeToUnix(X509_REVOKED_get0_revocationDate(r)));
    spec.revoked.push_back(std::move(entry));
  }
  int critical = 0;
  AsnIntegerPtr number(static_cast<ASN1_INTEGER*>(
      X509_CRL_get_ext_d2i(crl, NID_crl_number, &critical, nullptr)));
  if (number) {
    int64_t value = 0;
    if (ASN1_INTEGER_get_int64(&value, number.get()) != 1) {
      return OpenSslError(Code::kInvalidArgument, "crlNumber out of range");
    }
    spec.number = value;
  } else {
    spec.number = 0;
  }
  return spec;
}

}  // namespace docbus::pki
