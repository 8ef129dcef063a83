#include "bus/crypto/signer_info_check.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bus/crypto/openssl_util.h"

namespace docbus::crypto {
namespace {

using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX_free>>;

Status Refused(std::string why) {
  ERR_clear_error();
  return Status(Code::kBadSignature, std::move(why));
}

// Fetched once per process: EVP_sha256() and friends would make OpenSSL 3
// look the algorithm up in its provider table on every verification.
const EVP_MD* Fetch(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) {
    std::fprintf(stderr, "docbus: OpenSSL has no %s\n", name);
    std::abort();
  }
  return md;
}

// RFC 5652 §11 (and RFC 2634/5035 for the ESS attributes), as OpenSSL's
// cms_att.c enforces it before CMS_verify checks a signature: a verifier
// that accepted what CMS_verify refuses would make `openssl cms -verify`
// disagree with the bus about a document.
struct AttributeRule {
  int nid;
  bool may_be_signed;
  bool may_be_unsigned;
  bool required_when_signed;  // when there are signed attributes at all
  bool once_with_one_value;
};
constexpr AttributeRule kAttributeRules[] = {
    {NID_pkcs9_contentType, true, false, true, true},
    {NID_pkcs9_messageDigest, true, false, true, true},
    {NID_pkcs9_signingTime, true, false, false, true},
    {NID_pkcs9_countersignature, false, true, false, false},
    {NID_id_smime_aa_signingCertificate, true, false, false, true},
    {NID_id_smime_aa_signingCertificateV2, true, false, false, true},
    {NID_id_smime_aa_receiptRequest, true, false, false, true},
};

// Why the signed (or the unsigned) attributes of `signer` break a rule
// above; empty when they follow them all.
std::string BrokenAttributeRule(const CMS_SignerInfo& signer,
                                bool signed_side) {
  const auto find = [&](int nid, int after) {
    return signed_side ? CMS_signed_get_attr_by_NID(&signer, nid, after)
                       : CMS_unsigned_get_attr_by_NID(&signer, nid, after);
  };
  const std::string side = signed_side ? "signed" : "unsigned";
  for (const AttributeRule& rule : kAttributeRules) {
    const std::string name = OBJ_nid2sn(rule.nid);
    const int at = find(rule.nid, -1);
    if (at < 0) {
      if (signed_side && rule.required_when_signed) {
        return "no " + name + " signed attribute";
      }
      continue;
    }
    if (!(signed_side ? rule.may_be_signed : rule.may_be_unsigned)) {
      return name + " must not be an " + side + " attribute";
    }
    X509_ATTRIBUTE* attribute = signed_side
                                    ? CMS_signed_get_attr(&signer, at)
                                    : CMS_unsigned_get_attr(&signer, at);
    const int values = X509_ATTRIBUTE_count(attribute);
    if (values == 0 || (rule.once_with_one_value && values != 1)) {
      return side + " " + name + " must have exactly one value";
    }
    if (rule.once_with_one_value && find(rule.nid, at) >= 0) {
      return side + " " + name + " appears more than once";
    }
  }
  return {};
}

// The signature algorithm must be of the key's type: its bare key algorithm
// (CMS_sign writes rsaEncryption) or a signature algorithm for that key with
// the signer's digest.
bool SignatureAlgorithmFits(const X509_ALGOR* signature_algorithm,
                            int digest_nid, const EVP_PKEY& key) {
  if (signature_algorithm == nullptr) return false;
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, signature_algorithm);
  const int nid = OBJ_obj2nid(oid);
  const int key_type = EVP_PKEY_get_base_id(&key);
  if (nid == NID_undef || key_type == NID_undef) return false;
  if (nid == key_type) return true;
  int md_nid = NID_undef;
  int key_nid = NID_undef;
  return OBJ_find_sigid_algs(nid, &md_nid, &key_nid) == 1 &&
         key_nid == key_type && md_nid == digest_nid;
}

void AppendDerLength(std::string& out, size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<char>(length));
    return;
  }
  unsigned char bytes[sizeof(size_t)];
  int n = 0;
  for (size_t v = length; v != 0; v >>= 8) {
    bytes[n++] = static_cast<unsigned char>(v);
  }
  out.push_back(static_cast<char>(0x80 | n));
  while (n > 0) out.push_back(static_cast<char>(bytes[--n]));
}

// The bytes the signature covers (RFC 5652 §5.4): the signed attributes as
// a SET OF, each attribute re-encoded in the order received, as OpenSSL's
// CMS_Attributes_Verify encodes them for CMS_verify.
Result<std::string> SignedAttributesDer(const CMS_SignerInfo& signer) {
  const int count = CMS_signed_get_attr_count(&signer);
  size_t body = 0;
  for (int i = 0; i < count; ++i) {
    const int len =
        i2d_X509_ATTRIBUTE(CMS_signed_get_attr(&signer, i), nullptr);
    if (len <= 0) return Refused("a signed attribute does not encode");
    body += static_cast<size_t>(len);
  }
  std::string der(1, '\x31');  // SET OF
  AppendDerLength(der, body);
  const size_t header = der.size();
  der.resize(header + body);
  auto* p = reinterpret_cast<unsigned char*>(der.data()) + header;
  for (int i = 0; i < count; ++i) {
    i2d_X509_ATTRIBUTE(CMS_signed_get_attr(&signer, i), &p);
  }
  if (p != reinterpret_cast<unsigned char*>(der.data()) + der.size()) {
    return Refused("signed attributes re-encode to a different length");
  }
  return der;
}

}  // namespace

const EVP_MD* Sha2DigestMethod(const X509_ALGOR* digest_algorithm) {
  if (digest_algorithm == nullptr) return nullptr;
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, digest_algorithm);
  switch (OBJ_obj2nid(oid)) {
    case NID_sha256: {
      static const EVP_MD* const md = Fetch("SHA256");
      return md;
    }
    case NID_sha384: {
      static const EVP_MD* const md = Fetch("SHA384");
      return md;
    }
    case NID_sha512: {
      static const EVP_MD* const md = Fetch("SHA512");
      return md;
    }
    default:
      return nullptr;
  }
}

Status CheckSignerInfo(CMS_SignerInfo& signer, std::string_view content,
                       EVP_PKEY& public_key) {
  X509_ALGOR* digest_algorithm = nullptr;
  X509_ALGOR* signature_algorithm = nullptr;
  CMS_SignerInfo_get0_algs(&signer, nullptr, nullptr, &digest_algorithm,
                           &signature_algorithm);
  const EVP_MD* md = Sha2DigestMethod(digest_algorithm);
  if (md == nullptr) {
    return Refused("signature digest must be SHA-256, SHA-384 or SHA-512");
  }
  // Signer always signs attributes; a bare signature over the content would
  // carry no signing time and no content type.
  if (CMS_signed_get_attr_count(&signer) <= 0) {
    return Refused("signature has no signed attributes");
  }
  for (bool signed_side : {true, false}) {
    std::string broken = BrokenAttributeRule(signer, signed_side);
    if (!broken.empty()) return Refused(std::move(broken));
  }
  const auto* content_type =
      static_cast<const ASN1_OBJECT*>(CMS_signed_get0_data_by_OBJ(
          &signer, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT));
  if (content_type == nullptr || OBJ_obj2nid(content_type) != NID_pkcs7_data) {
    return Refused("signed content type is not id-data");
  }
  if (!SignatureAlgorithmFits(signature_algorithm, EVP_MD_get_type(md),
                              public_key)) {
    return Refused("signature algorithm does not fit the certificate's key");
  }

  const auto* claimed = static_cast<const ASN1_OCTET_STRING*>(
      CMS_signed_get0_data_by_OBJ(&signer, OBJ_nid2obj(NID_pkcs9_messageDigest),
                                  -3, V_ASN1_OCTET_STRING));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest(content.data(), content.size(), digest, &digest_len, md,
                 nullptr) != 1) {
    return OpenSslError(Code::kInternal, "digest of the content");
  }
  if (claimed == nullptr ||
      ASN1_STRING_length(claimed) != static_cast<int>(digest_len) ||
      CRYPTO_memcmp(ASN1_STRING_get0_data(claimed), digest, digest_len) != 0) {
    return Refused("the content is not what was signed (messageDigest)");
  }

  DOCBUS_ASSIGN_OR_RETURN(const std::string attributes,
                          SignedAttributesDer(signer));
  const ASN1_OCTET_STRING* signature = CMS_SignerInfo_get0_signature(&signer);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError(Code::kInternal, "EVP_MD_CTX_new");
  if (signature == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, &public_key) != 1 ||
      EVP_DigestVerify(
          ctx.get(), ASN1_STRING_get0_data(signature),
          static_cast<size_t>(ASN1_STRING_length(signature)),
          reinterpret_cast<const unsigned char*>(attributes.data()),
          attributes.size()) != 1) {
    return Refused("signature over the signed attributes does not verify");
  }
  return Status::Ok();
}

}  // namespace docbus::crypto
