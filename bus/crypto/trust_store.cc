#include "bus/crypto/trust_store.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "bus/core/log.h"
#include "bus/core/files.h"

namespace docbus::crypto {
namespace {

// Bounded so that a stream of distinct foreign certificates cannot grow the
// cache without limit; the registry's certificates fit many times over.
constexpr size_t kMaxCachedResults = 100000;

std::string TimeText(int64_t unix_s) {
  char buf[32];
  const time_t t = static_cast<time_t>(unix_s);
  struct tm tm {};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

Result<std::unique_ptr<TrustStore>> TrustStore::Load(
    const std::filesystem::path& root_pem, const std::filesystem::path& crl_pem,
    const Clock& clock) {
  DOCBUS_ASSIGN_OR_RETURN(std::string text,
                          ReadFileLimited(crl_pem, 64u << 20));
  return LoadWithCrlPem(root_pem, text, crl_pem.string(), clock);
}

Result<std::shared_ptr<const TrustStore::Anchor>> TrustStore::BuildAnchor(
    const std::filesystem::path& crl_pem) const {
  DOCBUS_ASSIGN_OR_RETURN(std::string text,
                          ReadFileLimited(crl_pem, 64u << 20));
  return BuildAnchorFromPem(text, crl_pem.string());
}

Result<std::shared_ptr<const TrustStore::Anchor>>
TrustStore::BuildAnchorFromPem(std::string_view text,
                               const std::string& origin) const {
  const std::filesystem::path crl_pem(origin);
  auto crl = ParseCrlPem(text);
  if (!crl.ok()) {
    return Status(crl.status().code(),
                  crl_pem.string() + ": " + crl.status().message());
  }
  EVP_PKEY* root_key = X509_get0_pubkey(root_->x509());
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl->get()),
                    X509_get_subject_name(root_->x509())) != 0 ||
      X509_CRL_verify(crl->get(), root_key) != 1) {
    return OpenSslError(Code::kUntrustedCertificate,
                        crl_pem.string() + " is not signed by the root CA");
  }
  auto anchor = std::make_shared<Anchor>();
  if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl->get())) {
    DOCBUS_ASSIGN_OR_RETURN(anchor->crl_next_update, AsnTimeToUnix(next));
  }
  if (auto* number = static_cast<ASN1_INTEGER*>(
          X509_CRL_get_ext_d2i(crl->get(), NID_crl_number, nullptr, nullptr))) {
    anchor->crl_number = ASN1_INTEGER_get(number);
    ASN1_INTEGER_free(number);
  }
  ERR_clear_error();
  anchor->store.reset(X509_STORE_new());
  if (!anchor->store ||
      X509_STORE_add_cert(anchor->store.get(), root_->x509()) != 1 ||
      X509_STORE_add_crl(anchor->store.get(), crl->get()) != 1) {
    return OpenSslError(Code::kInternal, "building the X509_STORE");
  }
  // Times are compared by Check() against the injected clock, never by
  // OpenSSL against the system clock.
  X509_STORE_set_flags(anchor->store.get(),
                       X509_V_FLAG_CRL_CHECK | X509_V_FLAG_NO_CHECK_TIME);
  const int64_t now_s = clock_.NowUnixMillis() / 1000;
  if (anchor->crl_next_update != 0 && anchor->crl_next_update < now_s) {
    ComponentLogger("crypto")->warn(
        "crl past its next update file={} next_update={}; still in force, "
        "publish a new one with `docbus pki crl`",
        crl_pem.string(), TimeText(anchor->crl_next_update));
  }
  return std::shared_ptr<const Anchor>(std::move(anchor));
}

std::shared_ptr<const TrustStore::Anchor> TrustStore::anchor() const {
  std::lock_guard lock(anchor_mu_);
  return anchor_;
}

Result<std::unique_ptr<TrustStore>> TrustStore::LoadWithCrlPem(
    const std::filesystem::path& root_pem, std::string_view crl_text,
    const std::string& crl_origin, const Clock& clock) {
  DOCBUS_ASSIGN_OR_RETURN(auto root, Certificate::FromFile(root_pem));
  if (X509_check_issued(root->x509(), root->x509()) != X509_V_OK ||
      X509_check_ca(root->x509()) == 0) {
    ERR_clear_error();
    return Status(Code::kInvalidArgument,
                  root_pem.string() + " is not a self-signed CA certificate");
  }
  std::unique_ptr<TrustStore> store(new TrustStore(std::move(root), clock));
  DOCBUS_ASSIGN_OR_RETURN(store->anchor_,
                          store->BuildAnchorFromPem(crl_text, crl_origin));
  return store;
}

Status TrustStore::ReloadCrl(const std::filesystem::path& crl_pem) {
  DOCBUS_ASSIGN_OR_RETURN(auto fresh, BuildAnchor(crl_pem));
  return Install(std::move(fresh), crl_pem.string());
}

Status TrustStore::ReloadCrlPem(std::string_view crl_text,
                                const std::string& origin) {
  DOCBUS_ASSIGN_OR_RETURN(auto fresh, BuildAnchorFromPem(crl_text, origin));
  return Install(std::move(fresh), origin);
}

Status TrustStore::CheckCrlPem(std::string_view crl_text,
                               const std::string& origin) const {
  DOCBUS_ASSIGN_OR_RETURN(auto fresh, BuildAnchorFromPem(crl_text, origin));
  std::lock_guard lock(anchor_mu_);
  return NotOlder(*fresh, origin);
}

Status TrustStore::NotOlder(const Anchor& fresh,
                            const std::string& origin) const {
  if (fresh.crl_number < anchor_->crl_number) {
    return Status(Code::kInvalidArgument,
                  origin + " is CRL number " +
                      std::to_string(fresh.crl_number) +
                      ", older than number " +
                      std::to_string(anchor_->crl_number) + " in force");
  }
  return Status::Ok();
}

Status TrustStore::Install(std::shared_ptr<const Anchor> fresh,
                           const std::string& origin) {
  const std::filesystem::path crl_pem(origin);
  std::lock_guard lock(anchor_mu_);
  DOCBUS_RETURN_IF_ERROR(NotOlder(*fresh, origin));
  anchor_ = std::move(fresh);
  ComponentLogger("crypto")->info("crl reloaded file={}", crl_pem.string());
  return Status::Ok();
}

int64_t TrustStore::crl_next_update_unix_s() const {
  return anchor()->crl_next_update;
}

size_t TrustStore::cached_certificates() const {
  auto a = anchor();
  std::shared_lock lock(a->mu);
  return a->results.size();
}

Status TrustStore::Check(const Certificate& cert) const {
  std::shared_ptr<const Anchor> a = anchor();
  Status chain;
  bool cached = false;
  {
    std::shared_lock lock(a->mu);
    auto it = a->results.find(cert.fingerprint());
    if (it != a->results.end()) {
      chain = it->second;
      cached = true;
    }
  }
  if (!cached) {
    chain = Validate(*a, cert);
    std::unique_lock lock(a->mu);
    if (a->results.size() >= kMaxCachedResults) a->results.clear();
    a->results.emplace(cert.fingerprint(), chain);
  }
  DOCBUS_RETURN_IF_ERROR(chain);

  const int64_t now_s = clock_.NowUnixMillis() / 1000;
  if (now_s < cert.not_before_unix_s()) {
    return Status(Code::kCertificateExpired,
                  "certificate " + cert.common_name() +
                      " is not valid before " +
                      TimeText(cert.not_before_unix_s()));
  }
  if (now_s > cert.not_after_unix_s()) {
    return Status(Code::kCertificateExpired,
                  "certificate " + cert.common_name() + " expired at " +
                      TimeText(cert.not_after_unix_s()));
  }
  if (now_s < root_->not_before_unix_s() || now_s > root_->not_after_unix_s()) {
    return Status(Code::kCertificateExpired,
                  "root CA certificate is outside its validity window");
  }
  return Status::Ok();
}

Status TrustStore::Validate(const Anchor& anchor,
                            const Certificate& cert) const {
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), anchor.store.get(), cert.x509(),
                                  nullptr) != 1) {
    return OpenSslError(Code::kInternal, "X509_STORE_CTX_init");
  }
  const int ok = X509_verify_cert(ctx.get());
  const int err = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  if (ok == 1) return Status::Ok();
  const std::string why = "certificate " + cert.common_name() + " (serial " +
                          cert.serial_hex() +
                          "): " + X509_verify_cert_error_string(err);
  if (err == X509_V_ERR_CERT_REVOKED) {
    return Status(Code::kCertificateRevoked, why);
  }
  return Status(Code::kUntrustedCertificate, why);
}

}  // namespace docbus::crypto
