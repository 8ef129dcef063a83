// The agency registry is the bus's list of who may connect and sign: a
// registry with a wrong entry is refused as a whole, naming the file and
// line, so the broker never starts with a half-valid list.
#include <catch2/catch.hpp>
#include <fstream>

#include "bus/core/files.h"
#include "bus/registry/registry_file.h"
#include "tests/crypto/pki_fixture.h"

namespace docbus::test {
namespace {

// A registry whose first entry is agency A as issued, with `edit` applied to
// the text of that entry.
Status LoadEdited(const PkiFixture& pki, const std::string& from,
                  const std::string& to) {
  auto text = ReadFileLimited(pki.paths.registry(), 1 << 20);
  REQUIRE(text.ok());
  const size_t at = text->find(from);
  REQUIRE(at != std::string::npos);
  std::string edited = *text;
  edited.replace(at, from.size(), to);
  const auto file = pki.paths.dir() / "edited.toml";
  {
    std::ofstream out(file, std::ios::binary);
    out << edited;
  }
  return registry::AgencyRegistry::Load(file).status();
}

TEST_CASE("the registry written by the PKI tool loads with every field",
          "[registry]") {
  PkiFixture pki;
  auto registry = pki.Registry();
  REQUIRE(registry->agencies().size() == 2);
  const registry::Agency* a = registry->Find(kAgencyA);
  REQUIRE(a != nullptr);
  CHECK(a->name == "Văn phòng Chính phủ");
  CHECK(a->parent.empty());
  CHECK_FALSE(a->revoked);
  CHECK(a->certificate_pem.find("BEGIN CERTIFICATE") != std::string::npos);
  CHECK(a->certificate_path == pki.paths.agency_certificate(kAgencyA));
  const registry::Agency* b = registry->Find(kAgencyB);
  REQUIRE(b != nullptr);
  CHECK(b->parent == kAgencyA);
  CHECK(registry->FindByCurveKey(b->curve_public_key) == b);
  CHECK(registry->Find(kAgencyC) == nullptr);
  CHECK(registry->FindByCurveKey("0000000000000000000000000000000000000000") ==
        nullptr);
}

TEST_CASE(
    "a registry with a malformed agency id is refused, naming file and line",
    "[registry]") {
  PkiFixture pki;
  Status s = LoadEdited(pki, std::string("id = \"") + kAgencyA,
                        "id = \"000.00.00.g22");
  INFO(s.ToString());
  CHECK(CodeOf(s) == "invalid_argument");
  CHECK(s.message().find("edited.toml:3:") != std::string::npos);
  CHECK(s.message().find("NNN.NN.NN.Xnn") != std::string::npos);
}

TEST_CASE("a registry entry that contradicts itself or another is refused",
          "[registry]") {
  PkiFixture pki;
  auto registry = pki.Registry();
  const std::string key_a = registry->Find(kAgencyA)->curve_public_key;
  const std::string key_b = registry->Find(kAgencyB)->curve_public_key;
  // A listed twice.
  auto text = ReadFileLimited(pki.paths.registry(), 1 << 20);
  REQUIRE(text.ok());
  const size_t first = text->find("[[agency]]");
  const size_t second = text->find("[[agency]]", first + 1);
  Status twice = LoadEdited(pki, "[[agency]]",
                            text->substr(first, second - first) + "[[agency]]");
  CHECK(CodeOf(twice) == "invalid_argument");
  CHECK(twice.message().find("duplicate agency id") != std::string::npos);
  // B claims A's id: B's certificate names another agency.
  CHECK(LoadEdited(pki, std::string("id = \"") + kAgencyB,
                   std::string("id = \"") + kAgencyA)
            .message()
            .find("not the agency id") != std::string::npos);
  // B reuses A's CURVE key: two agencies would share one transport identity.
  Status shared_key = LoadEdited(pki, key_b, key_a);
  CHECK(shared_key.message().find("CURVE key already bound") !=
        std::string::npos);
  // A CURVE key that is not 40 Z85 characters.
  CHECK(LoadEdited(pki, key_a, key_a.substr(0, 39)).message().find("40 Z85") !=
        std::string::npos);
  CHECK(
      LoadEdited(pki, key_a, "\\\\" + key_a.substr(2)).message().find("Z85") !=
      std::string::npos);
  // A certificate issued to another agency.
  Status wrong_cert =
      LoadEdited(pki, std::string("agencies/") + kAgencyA + "/cert.pem",
                 std::string("agencies/") + kAgencyB + "/cert.pem");
  CHECK(wrong_cert.message().find("not the agency id") != std::string::npos);
  // A certificate that is not there.
  CHECK(LoadEdited(pki, std::string("agencies/") + kAgencyA + "/cert.pem",
                   "nowhere.pem")
            .message()
            .find("nowhere.pem") != std::string::npos);
  // A malformed parent, an empty name.
  CHECK(LoadEdited(pki, std::string("parent = \"") + kAgencyA, "parent = \"G22")
            .message()
            .find("parent") != std::string::npos);
  CHECK(LoadEdited(pki, "name = \"Văn phòng Chính phủ\"", "name = \"\"")
            .message()
            .find("empty name") != std::string::npos);
}

TEST_CASE("a registry file with a typo is refused rather than half-read",
          "[registry]") {
  PkiFixture pki;
  Status unknown_key = LoadEdited(pki, "revoked = false", "revokd = false");
  CHECK(unknown_key.message().find("unknown agency key 'revokd'") !=
        std::string::npos);
  Status wrong_type = LoadEdited(pki, "revoked = false", "revoked = \"no\"");
  CHECK(wrong_type.message().find("true or false") != std::string::npos);
  Status syntax = LoadEdited(pki, "revoked = false", "revoked = ");
  CHECK(CodeOf(syntax) == "invalid_argument");
  CHECK(syntax.message().find("edited.toml:") != std::string::npos);
  Status missing =
      LoadEdited(pki, std::string("id = \"") + kAgencyA + "\"", "");
  CHECK(missing.message().find("without 'id'") != std::string::npos);
  Status stray = LoadEdited(pki, "[[agency]]", "version = 2\n[[agency]]");
  CHECK(stray.message().find("unknown top-level key 'version'") !=
        std::string::npos);
  CHECK(CodeOf(registry::AgencyRegistry::Load(pki.paths.dir() / "absent.toml")
                   .status()) == "not_found");
}

TEST_CASE(
    "names with quotes, backslashes and Vietnamese survive a save and load",
    "[registry]") {
  PkiFixture pki;
  auto file = registry::RegistryFile::Read(pki.paths.registry());
  REQUIRE(file.ok());
  const std::string tricky = "Sở \"Tư pháp\" \\ Hà Nội\tđiểm";
  file->Find(kAgencyB)->name = tricky;
  REQUIRE(file->Save().ok());
  CHECK(pki.Registry()->Find(kAgencyB)->name == tricky);
  // Save refuses to install a registry that would not load, and keeps the old
  // one.
  file->Find(kAgencyB)->id = "bad id";
  CHECK_FALSE(file->Save().ok());
  CHECK(pki.Registry()->Find(kAgencyB) != nullptr);
}

}  // namespace
}  // namespace docbus::test
