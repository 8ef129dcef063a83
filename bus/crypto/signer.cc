#include "bus/crypto/signer.h"

#include <openssl/err.h>

#include "bus/core/clock.h"
#include "bus/crypto/sha256.h"
#include "bus/core/files.h"
#include "bus/crypto/pkcs11_uri.h"

namespace docbus::crypto {
namespace {

constexpr int kSignFlags =
    CMS_NOCERTS | CMS_BINARY | CMS_DETACHED | CMS_NOSMIMECAP;

}  // namespace

Result<std::unique_ptr<Signer>> Signer::Load(
    const std::filesystem::path& key_pem,
    const std::filesystem::path& cert_pem) {
  return Open(key_pem.string(), cert_pem);
}

Result<std::unique_ptr<Signer>> Signer::Open(
    std::string_view key_ref, const std::filesystem::path& cert_pem,
    std::string_view pkcs11_module) {
  const std::string described = RedactKeyReference(key_ref);
  auto key = SigningKey::Open(key_ref, pkcs11_module);
  if (!key.ok()) {
    return Status(key.status().code(), described + " / " + cert_pem.string() +
                                           ": " + key.status().message());
  }
  DOCBUS_ASSIGN_OR_RETURN(std::string cert_text,
                          ReadFileLimited(cert_pem, 64 * 1024));
  auto signer = FromKey(std::move(key).value(), cert_text);
  if (!signer.ok()) {
    return Status(signer.status().code(), described + " / " +
                                              cert_pem.string() + ": " +
                                              signer.status().message());
  }
  return signer;
}

Result<std::unique_ptr<Signer>> Signer::FromPem(std::string_view key_pem,
                                                std::string_view cert_pem) {
  DOCBUS_ASSIGN_OR_RETURN(auto key, SigningKey::FromPem(key_pem));
  return FromKey(std::move(key), cert_pem);
}

Result<std::unique_ptr<Signer>> Signer::FromKey(
    std::unique_ptr<SigningKey> key, std::string_view cert_pem) {
  DOCBUS_ASSIGN_OR_RETURN(auto certificate, Certificate::FromPem(cert_pem));
  if (X509_check_private_key(certificate->x509(), key->pkey()) != 1) {
    return OpenSslError(Code::kInvalidArgument,
                        "private key does not match the certificate");
  }
  std::optional<SignedDataEncoder> encoder;
  if (EVP_PKEY_get_base_id(key->pkey()) == EVP_PKEY_EC) {
    DOCBUS_ASSIGN_OR_RETURN(
        encoder, SignedDataEncoder::ForCertificate(certificate->x509()));
  }
  return std::unique_ptr<Signer>(
      new Signer(std::move(key), std::move(certificate), std::move(encoder)));
}

Result<std::string> Signer::Sign(std::string_view content) const {
  return encoder_ ? SignEcdsa(content) : SignWithCms(content);
}

Result<std::string> Signer::SignEcdsa(std::string_view content) const {
  const int64_t now = RealClock().NowUnixMillis() / 1000;
  const std::string attributes =
      encoder_->SignedAttributes(Sha256(content), now);
  const std::string digest = Sha256(attributes);

  PkeyCtxPtr ctx;
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_contexts_.empty()) {
      ctx = std::move(idle_contexts_.back());
      idle_contexts_.pop_back();
    }
  }
  if (!ctx) {
    ctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key_->pkey(), nullptr));
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1) {
      return OpenSslError(Code::kInternal, "EVP_PKEY_sign_init");
    }
  }
  unsigned char signature[EVP_MAX_MD_SIZE * 2 + 16];
  size_t signature_len = sizeof(signature);
  std::unique_lock<std::mutex> token_lock(token_mu_, std::defer_lock);
  if (key_->on_token()) token_lock.lock();
  if (static_cast<size_t>(EVP_PKEY_get_size(key_->pkey())) > signature_len ||
      EVP_PKEY_sign(ctx.get(), signature, &signature_len,
                    reinterpret_cast<const unsigned char*>(digest.data()),
                    digest.size()) != 1) {
    return OpenSslError(Code::kInternal, "EVP_PKEY_sign");
  }
  if (token_lock.owns_lock()) token_lock.unlock();
  {
    std::lock_guard lock(pool_mu_);
    idle_contexts_.push_back(std::move(ctx));
  }
  return encoder_->ContentInfo(
      attributes,
      std::string_view(reinterpret_cast<char*>(signature), signature_len));
}

Result<std::string> Signer::SignWithCms(std::string_view content) const {
  BioPtr data = MemoryBio(content);
  if (!data) return OpenSslError(Code::kInternal, "BIO_new_mem_buf");
  std::unique_lock<std::mutex> token_lock(token_mu_, std::defer_lock);
  if (key_->on_token()) token_lock.lock();
  CmsPtr cms(CMS_sign(certificate_->x509(), key_->pkey(), nullptr, data.get(),
                      kSignFlags));
  if (!cms) return OpenSslError(Code::kInternal, "CMS_sign");
  unsigned char* der = nullptr;
  const int len = i2d_CMS_ContentInfo(cms.get(), &der);
  if (len <= 0) return OpenSslError(Code::kInternal, "i2d_CMS_ContentInfo");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace docbus::crypto
