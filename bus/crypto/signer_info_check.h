// The cryptographic check of the one SignerInfo of a detached CMS signature
// (RFC 5652 §5.4, §11), done directly instead of through CMS_verify, which
// builds a BIO chain and a certificate stack and fetches its algorithms on
// every call: here it is a digest of the content, a re-encoding of about
// 100 bytes of attributes and one EVP_DigestVerify with the certificate's
// already decoded key and a digest method fetched once per process.
// Stateless; thread-safe (the signer is only read).
#pragma once

#include <openssl/cms.h>
#include <openssl/evp.h>

#include <string_view>

#include "bus/core/status.h"

namespace docbus::crypto {

// The SHA-2 digest method named by `digest_algorithm` (sha256, sha384 or
// sha512), fetched once per process; null for any other algorithm.
const EVP_MD* Sha2DigestMethod(const X509_ALGOR* digest_algorithm);

// Ok when `signer` (of a SignedData the caller has checked is detached, with
// one signer and a SHA-2 digest algorithm) signs exactly `content` with
// `public_key`:
//   - it has signed attributes, which follow RFC 5652 §11 as OpenSSL's
//     CMS_verify enforces it (one contentType, one messageDigest, at most
//     one signingTime, each with one value; no countersignature signed;
//     none of those unsigned);
//   - contentType is id-data and messageDigest equals the digest of
//     `content` (compared in constant time);
//   - the signature algorithm is of `public_key`'s type (and, when it names
//     a digest, the signer's digest algorithm);
//   - the signature verifies over the DER of the signed attributes, tagged
//     as a SET OF, in the order received (what CMS_verify hashes).
// kBadSignature with the reason otherwise; kInternal when OpenSSL cannot
// allocate. Leaves no OpenSSL errors queued.
Status CheckSignerInfo(CMS_SignerInfo& signer, std::string_view content,
                       EVP_PKEY& public_key);

}  // namespace docbus::crypto
