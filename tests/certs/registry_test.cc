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

TEST_CASE(
    "an agency's aliases resolve to it, and an alias that could mean two "
    "agencies is refused",
    "[registry]") {
  PkiFixture pki;
  const std::string revoked_line = "revoked = false";
  // The first entry is A's: give it the system id its software uses.
  Status s = LoadEdited(pki, revoked_line,
                        revoked_line + "\naliases = [\"vxp.saas.03\", \"G22\"]");
  INFO(s.ToString());
  REQUIRE(s.ok());
  auto text = ReadFileLimited(pki.paths.registry(), 1 << 20);
  REQUIRE(text.ok());
  std::string edited = *text;
  edited.replace(edited.find(revoked_line), revoked_line.size(),
                 revoked_line + "\naliases = [\"vxp.saas.03\", \"G22\"]");
  auto file = registry::RegistryFile::Parse(edited, pki.paths.registry());
  REQUIRE(file.ok());
  CHECK(file->entries()[0].aliases ==
        std::vector<std::string>{"vxp.saas.03", "G22"});
  // Written back as read.
  auto again = registry::RegistryFile::Parse(file->Render(), pki.paths.registry());
  REQUIRE(again.ok());
  CHECK(again->entries()[0].aliases == file->entries()[0].aliases);
  auto loaded =
      registry::AgencyRegistry::FromEntries(file->entries(), pki.paths.registry());
  REQUIRE(loaded.ok());
  const registry::Agency* a = (*loaded)->Find(kAgencyA);
  REQUIRE(a != nullptr);
  CHECK((*loaded)->Resolve("vxp.saas.03") == a);
  CHECK((*loaded)->Resolve("G22") == a);
  CHECK((*loaded)->Resolve(kAgencyA) == a);
  CHECK((*loaded)->Find("vxp.saas.03") == nullptr);  // not an id
  CHECK((*loaded)->Resolve("vxp.saas.04") == nullptr);

  // One name, one agency: an alias that is an id, or another's alias.
  s = LoadEdited(pki, revoked_line,
                 revoked_line + "\naliases = [\"" + std::string(kAgencyB) + "\"]");
  CHECK(CodeOf(s) == "invalid_argument");
  CHECK(s.message().find("another agency's id") != std::string::npos);
  s = LoadEdited(pki, revoked_line, revoked_line + "\naliases = [\"a b\"]");
  CHECK(CodeOf(s) == "invalid_argument");
  s = LoadEdited(pki, revoked_line, revoked_line + "\naliases = \"G22\"");
  CHECK(CodeOf(s) == "invalid_argument");
  std::string twice = *text;
  const size_t first = twice.find(revoked_line);
  const size_t second = twice.find(revoked_line, first + 1);
  REQUIRE(second != std::string::npos);
  twice.replace(second, revoked_line.size(),
                revoked_line + "\naliases = [\"G22\"]");
  twice.replace(first, revoked_line.size(),
                revoked_line + "\naliases = [\"G22\"]");
  auto both = registry::RegistryFile::Parse(twice, pki.paths.registry());
  REQUIRE(both.ok());
  auto refused =
      registry::AgencyRegistry::FromEntries(both->entries(), pki.paths.registry());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("names another agency too") !=
        std::string::npos);
}

}  // namespace
}  // namespace docbus::test
