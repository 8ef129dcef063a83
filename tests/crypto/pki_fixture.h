// Test helpers shared by crypto_test and certs_test: a temporary folder
// removed afterwards, and a fresh PKI folder made with docbus_pki (root, CRL,
// broker, agencies A and B) plus the objects the bus builds from it.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "bus/core/clock.h"
#include "bus/core/ids.h"
#include "bus/crypto/signer.h"
#include "bus/crypto/trust_store.h"
#include "bus/crypto/verifier.h"
#include "bus/registry/agency_registry.h"
#include "certs/authority.h"
#include "certs/pki_paths.h"
#include "docbus/v1/document.pb.h"
#include "tests/temp_dir.h"

namespace docbus::test {

inline constexpr char kAgencyA[] = "000.00.00.G22";  // Văn phòng Chính phủ
inline constexpr char kAgencyB[] = "000.00.00.H26";
inline constexpr char kAgencyC[] = "000.00.00.H41";  // not issued by default

using ::docbus::testing::TempDir;

// Status codes print by name in Catch2 failure messages.
inline std::string CodeOf(const Status& s) {
  return std::string(CodeName(s.code()));
}

class PkiFixture {
 public:
  explicit PkiFixture(bool with_agencies = true) : paths(tmp.path() / "pki") {
    REQUIRE(pki::InitAuthority(paths.dir()).ok());
    if (with_agencies) {
      REQUIRE(pki::IssueAgency(paths.dir(), kAgencyA, "Văn phòng Chính phủ", "")
                  .ok());
      REQUIRE(pki::IssueAgency(paths.dir(), kAgencyB, "Bộ Tài chính", kAgencyA)
                  .ok());
    }
  }

  std::unique_ptr<crypto::Signer> SignerFor(const std::string& id) const {
    auto signer = crypto::Signer::Load(paths.agency_key(id),
                                       paths.agency_certificate(id));
    INFO(signer.status().ToString());
    REQUIRE(signer.ok());
    return std::move(signer).value();
  }

  std::shared_ptr<const registry::AgencyRegistry> Registry() const {
    auto registry = registry::AgencyRegistry::Load(paths.registry());
    INFO(registry.status().ToString());
    REQUIRE(registry.ok());
    return *registry;
  }

  std::unique_ptr<crypto::TrustStore> Trust(const Clock& clock) const {
    auto trust =
        crypto::TrustStore::Load(paths.root_certificate(), paths.crl(), clock);
    INFO(trust.status().ToString());
    REQUIRE(trust.ok());
    return std::move(trust).value();
  }

  TempDir tmp;
  pki::PkiPaths paths;
};

// The verifying side of the bus for `pki`: its trust store and a Verifier
// over its registry as it is now.
struct VerifyingSide {
  explicit VerifyingSide(const PkiFixture& pki)
      : trust(pki.Trust(clock)), verifier(*trust, pki.Registry()) {}
  RealClock clock;
  std::unique_ptr<crypto::TrustStore> trust;
  crypto::Verifier verifier;
};

// A Signer for `key_ref` (a key file or a pkcs11: URI) with the certificate
// `pki` issued to `id`; fails the test unless it opens and names `id`.
inline std::unique_ptr<crypto::Signer> OpenSignerFor(
    const PkiFixture& pki, const std::string& key_ref, const std::string& id,
    const std::string& pkcs11_module = "") {
  auto signer = crypto::Signer::Open(
      key_ref, pki.paths.agency_certificate(id), pkcs11_module);
  INFO(signer.status().ToString());
  REQUIRE(signer.ok());
  REQUIRE((*signer)->agency_id() == id);
  return std::move(signer).value();
}

// The exact bytes of a small official letter from A to B.
inline std::string SampleHeaderBytes(const std::string& from = kAgencyA,
                                     const std::string& to = kAgencyB) {
  v1::DocumentHeader header;
  header.set_message_id("0190f3a2-7c1e-7abc-9def-0123456789ab");
  header.mutable_from()->set_organ_id(from);
  header.add_to()->set_organ_id(to);
  header.mutable_code()->set_code_number("123");
  header.mutable_code()->set_code_notation("VPCP-KSTT");
  header.set_subject("V/v triển khai trục liên thông văn bản quốc gia");
  header.set_document_id(from + ",2026/11/28,123/VPCP-KSTT");
  return header.SerializeAsString();
}

}  // namespace docbus::test
