#include "tools/bench/verify_floor.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bus/core/clock.h"
#include "bus/core/files.h"
#include "bus/crypto/openssl_util.h"
#include "bus/crypto/signer.h"
#include "bus/crypto/trust_store.h"
#include "bus/crypto/verifier.h"
#include "bus/registry/agency_registry.h"
#include "certs/authority.h"
#include "certs/pki_paths.h"
#include "docbus/v1/document.pb.h"
#include "tests/temp_dir.h"

namespace docbus::bench {
namespace {

constexpr char kAgency[] = "000.00.00.G22";
constexpr size_t kHeaderBytes = 4096;

using MdCtxPtr =
    std::unique_ptr<EVP_MD_CTX, crypto::OpenSslDeleter<EVP_MD_CTX_free>>;
using MdPtr = std::unique_ptr<EVP_MD, crypto::OpenSslDeleter<EVP_MD_free>>;

double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

struct Cost {
  double cpu_us = 0, wall_us = 0;  // totals, then per operation
  long operations = 0;
  bool all_ok = true;
};

// Runs each of `ops` (which return whether they succeeded) for about `each`,
// in turns of 50 ms, so that all of them see the same share of whatever
// else loads a shared machine meanwhile.
std::vector<Cost> MeasureInTurns(
    std::chrono::milliseconds each,
    const std::vector<std::function<bool()>>& ops) {
  constexpr auto kTurn = std::chrono::milliseconds(50);
  std::vector<Cost> costs(ops.size());
  for (auto spent = std::chrono::milliseconds(0); spent < each;
       spent += kTurn) {
    for (size_t k = 0; k < ops.size(); ++k) {
      Cost& cost = costs[k];
      const auto start = std::chrono::steady_clock::now();
      const double cpu_start = ThreadCpuMicros();
      do {
        for (int i = 0; i < 16; ++i) cost.all_ok &= ops[k]();
        cost.operations += 16;
      } while (std::chrono::steady_clock::now() - start < kTurn);
      cost.cpu_us += ThreadCpuMicros() - cpu_start;
      cost.wall_us += std::chrono::duration<double, std::micro>(
                          std::chrono::steady_clock::now() - start)
                          .count();
    }
  }
  for (Cost& cost : costs) {
    cost.cpu_us /= cost.operations;
    cost.wall_us /= cost.operations;
  }
  return costs;
}

void Print(const char* what, const Cost& c) {
  std::printf("  %-38s %8.1f us/op CPU (%8.1f wall), %7.0f/s per core%s\n",
              what, c.cpu_us, c.wall_us, 1e6 / c.cpu_us,
              c.all_ok ? "" : "  (SOME FAILED)");
}

// A document header whose serialisation is exactly kHeaderBytes long.
std::string HeaderBytes() {
  v1::DocumentHeader header;
  header.set_message_id("0190f3a2-7c1e-7abc-9def-0123456789ab");
  header.mutable_from()->set_organ_id(kAgency);
  header.add_to()->set_organ_id("000.00.00.H26");
  header.mutable_code()->set_code_number("123");
  header.mutable_code()->set_code_notation("VPCP-KSTT");
  header.set_document_id(std::string(kAgency) + ",2026/11/28,123/VPCP-KSTT");
  std::string subject = "Benchmark";
  header.set_subject(subject);
  while (header.ByteSizeLong() < kHeaderBytes) {
    subject.append(kHeaderBytes - header.ByteSizeLong(), 'x');
    header.set_subject(subject);
  }
  while (header.ByteSizeLong() > kHeaderBytes) {  // the length prefix grew
    subject.pop_back();
    header.set_subject(subject);
  }
  return header.SerializeAsString();
}

}  // namespace

double SignatureFloor::LimitDocumentsPerSecond() const {
  return cores * 1e6 / (2 * raw_sign_us + 4 * raw_verify_us);
}

Result<SignatureFloor> MeasureSignatureFloor(std::chrono::milliseconds each) {
  testing::TempDir tmp("docbus-verify-floor");
  const pki::PkiPaths paths(tmp.path() / "pki");
  DOCBUS_RETURN_IF_ERROR(pki::InitAuthority(paths.dir()));
  DOCBUS_RETURN_IF_ERROR(
      pki::IssueAgency(paths.dir(), kAgency, "Văn phòng Chính phủ", ""));
  DOCBUS_ASSIGN_OR_RETURN(
      auto signer, crypto::Signer::Load(paths.agency_key(kAgency),
                                        paths.agency_certificate(kAgency)));
  RealClock clock;
  DOCBUS_ASSIGN_OR_RETURN(
      auto trust,
      crypto::TrustStore::Load(paths.root_certificate(), paths.crl(), clock));
  DOCBUS_ASSIGN_OR_RETURN(auto registry,
                          registry::AgencyRegistry::Load(paths.registry()));
  const crypto::Verifier verifier(*trust, registry);
  DOCBUS_ASSIGN_OR_RETURN(
      std::string key_pem,
      ReadFileLimited(paths.agency_key(kAgency), 64 * 1024));
  DOCBUS_ASSIGN_OR_RETURN(crypto::EvpPkeyPtr key,
                          crypto::ParsePrivateKeyPem(key_pem));
  EVP_PKEY* public_key = X509_get0_pubkey(signer->certificate().x509());
  MdPtr sha256(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!sha256 || !ctx || public_key == nullptr) {
    return crypto::OpenSslError(Code::kInternal,
                                "preparing the raw ECDSA measure");
  }

  const std::string header = HeaderBytes();
  const auto* data = reinterpret_cast<const unsigned char*>(header.data());
  unsigned char raw_signature[128];
  size_t raw_signature_len = sizeof(raw_signature);
  if (EVP_DigestSignInit(ctx.get(), nullptr, sha256.get(), nullptr,
                         key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), raw_signature, &raw_signature_len, data,
                     header.size()) != 1) {
    return crypto::OpenSslError(Code::kInternal, "raw ECDSA signature");
  }
  DOCBUS_ASSIGN_OR_RETURN(std::string signature, signer->Sign(header));

  SignatureFloor floor;
  floor.cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf(
      "signature floor (single thread, ~%.1f s each in 50 ms turns, %zu-byte "
      "header, "
      "P-256):\n",
      each.count() / 1000.0, header.size());
  const std::vector<Cost> costs = MeasureInTurns(
      each, {[&] {
               unsigned char out[128];
               size_t out_len = sizeof(out);
               return EVP_DigestSignInit(ctx.get(), nullptr, sha256.get(),
                                         nullptr, key.get()) == 1 &&
                      EVP_DigestSign(ctx.get(), out, &out_len, data,
                                     header.size()) == 1;
             },
             [&] {
               return EVP_DigestVerifyInit(ctx.get(), nullptr, sha256.get(),
                                           nullptr, public_key) == 1 &&
                      EVP_DigestVerify(ctx.get(), raw_signature,
                                       raw_signature_len, data,
                                       header.size()) == 1;
             },
             [&] { return signer->Sign(header).ok(); },
             [&] { return verifier.Verify(header, signature, kAgency).ok(); }});
  const Cost& raw_sign = costs[0];
  const Cost& raw_verify = costs[1];
  const Cost& docbus_sign = costs[2];
  const Cost& docbus_verify = costs[3];
  Print("raw ECDSA sign (EVP_DigestSign)", raw_sign);
  Print("raw ECDSA verify (EVP_DigestVerify)", raw_verify);
  Print("docbus Signer::Sign", docbus_sign);
  Print("docbus Verifier::Verify", docbus_verify);
  if (!raw_sign.all_ok || !raw_verify.all_ok || !docbus_sign.all_ok ||
      !docbus_verify.all_ok) {
    return Status(Code::kInternal,
                  "an operation failed while measuring the signature floor");
  }
  floor.raw_sign_us = raw_sign.cpu_us;
  floor.raw_verify_us = raw_verify.cpu_us;
  floor.docbus_sign_us = docbus_sign.cpu_us;
  floor.docbus_verify_us = docbus_verify.cpu_us;
  std::printf(
      "  docbus sign / raw sign: %.2f; docbus verify / raw verify: %.2f\n",
      floor.docbus_sign_us / floor.raw_sign_us,
      floor.docbus_verify_us / floor.raw_verify_us);
  std::printf(
      "  signature limit: %u cores * 1e6 / (2 * %.1f + 4 * %.1f us) = %.0f "
      "documents/s\n"
      "    (per document: the sender signs it, broker and recipient verify it, "
      "the\n"
      "    recipient signs the receipt, broker and sender verify that)\n",
      floor.cores, floor.raw_sign_us, floor.raw_verify_us,
      floor.LimitDocumentsPerSecond());
  return floor;
}

void PrintShareOfSignatureLimit(const SignatureFloor& floor,
                                double documents_per_second) {
  const double limit = floor.LimitDocumentsPerSecond();
  std::printf(
      "docbus / signature limit: %.0f / %.0f documents/s = %.3f\n"
      "  (limit = %u cores * 1e6 / (2 raw signs + 4 raw verifies in CPU us))\n",
      documents_per_second, limit, documents_per_second / limit, floor.cores);
}

}  // namespace docbus::bench
