// The Debian package an operator installs: cpack builds it from this tree;
// it holds the binaries, units, sysusers file, alerting rules and examples
// and nothing else of the build; its units pass `systemd-analyze verify`,
// its rules `promtool check rules`; as root, `dpkg -i` installs it (the
// docbus user, /etc/docbus 0750 root:docbus, daemons that run) and
// `dpkg --purge` removes it again.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/shell.h"
#include "tests/temp_dir.h"

namespace docbus {
namespace {

namespace fs = std::filesystem;
using testing::RunShell;

const fs::path kBuild = DOCBUS_BINARY_DIR;
const fs::path kSource = DOCBUS_SOURCE_DIR;

std::string Quote(const fs::path& p) { return "'" + p.string() + "'"; }

// Builds the package into `dir`; its path.
fs::path BuildPackage(const fs::path& dir) {
  std::string out;
  const int code = RunShell("cpack -G DEB --config " +
                                Quote(kBuild / "CPackConfig.cmake") + " -B " +
                                Quote(dir),
                            &out);
  INFO(out);
  REQUIRE(code == 0);
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".deb") return entry.path();
  }
  FAIL("cpack made no .deb");
  return {};
}

// The paths in the package, without the leading "./".
std::set<std::string> Contents(const fs::path& deb) {
  std::string out;
  REQUIRE(RunShell("dpkg-deb --fsys-tarfile " + Quote(deb) + " | tar -t",
                   &out) == 0);
  std::set<std::string> files;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("./", 0) == 0) line.erase(0, 2);
    if (!line.empty() && line.back() != '/') files.insert(line);
  }
  return files;
}

std::string Field(const fs::path& deb, const std::string& name) {
  std::string out;
  REQUIRE(RunShell("dpkg-deb -f " + Quote(deb) + " " + name, &out) == 0);
  return out;
}

// `systemd-analyze verify` on the broker's unit and one agent instance in
// `unit_dir`: "" when it passes with nothing to say (an unknown or misspelt
// directive is only a warning, exit 0, and counts as a failure here).
std::string VerifyUnits(const fs::path& unit_dir) {
  std::string out;
  const int code = RunShell(
      "systemd-analyze verify " + Quote(unit_dir / "docbus-broker.service") +
          " " + Quote(unit_dir / "docbus-agent@g22.service"),
      &out);
  if (code != 0 && out.empty()) out = "exit " + std::to_string(code);
  return out;
}

}  // namespace

TEST_CASE("the .deb holds the daemons, the units, the user and the rules",
          "[package]") {
  testing::TempDir work("docbus-package");
  const fs::path deb = BuildPackage(work.path());
  CHECK(deb.filename().string().starts_with("docbus_"));
  CHECK(deb.filename().string().ends_with("_amd64.deb"));

  const std::set<std::string> expected = {
      "usr/bin/docbus",
      "usr/bin/docbus-broker",
      "usr/bin/docbus-agent",
      "usr/lib/systemd/system/docbus-broker.service",
      "usr/lib/systemd/system/docbus-agent@.service",
      "usr/lib/sysusers.d/docbus.conf",
      "usr/share/docbus/prometheus/docbus-alerts.yml",
      "usr/share/doc/docbus/README.packaging.md",
      "usr/share/doc/docbus/examples/broker.toml",
      "usr/share/doc/docbus/examples/agent.toml",
  };
  CHECK(Contents(deb) == expected);

  const std::string depends = Field(deb, "Depends");
  for (const char* lib : {"libzmq5", "libprotobuf", "libssl3", "libpq5",
                          "libsqlite3", "systemd"}) {
    INFO(depends);
    CHECK(depends.find(lib) != std::string::npos);
  }

  std::string scripts;
  REQUIRE(RunShell("dpkg-deb -I " + Quote(deb), &scripts) == 0);
  CHECK(scripts.find("postinst") != std::string::npos);
  CHECK(scripts.find("postrm") != std::string::npos);
}

TEST_CASE("the units pass systemd-analyze verify and the rules promtool",
          "[package]") {
  testing::TempDir work("docbus-units");
  const fs::path deb = BuildPackage(work.path());
  const fs::path root = work.path() / "root";
  std::string out;
  REQUIRE(RunShell("dpkg-deb -x " + Quote(deb) + " " + Quote(root), &out) == 0);

  // The units name /usr/bin/docbus-*; verify copies that name the extracted
  // binaries, so that every directive is checked without installing.
  const fs::path units = work.path() / "units";
  fs::create_directories(units);
  for (const char* unit : {"docbus-broker.service", "docbus-agent@.service"}) {
    std::ifstream in(root / "usr/lib/systemd/system" / unit);
    std::stringstream text;
    text << in.rdbuf();
    std::ofstream(units / unit) << std::regex_replace(
        text.str(), std::regex("/usr/bin/"), (root / "usr/bin/").string());
  }
  CHECK(VerifyUnits(units) == "");

  out.clear();
  const int code = RunShell(
      "promtool check rules " +
          Quote(root / "usr/share/docbus/prometheus/docbus-alerts.yml"),
      &out);
  INFO(out);
  CHECK(code == 0);
}

TEST_CASE("as root, dpkg -i installs the package and --purge removes it",
          "[package][install]") {
  if (::geteuid() != 0) {
    WARN("not root: dpkg -i not tried (CI runs the suite as root)");
    return;
  }
  std::string out;
  if (RunShell("dpkg-query -W -f='${Status}' docbus", &out) == 0 &&
      out.find("installed") != std::string::npos) {
    WARN("a docbus package is installed on this machine: left alone");
    return;
  }
  testing::TempDir work("docbus-install");
  const fs::path deb = BuildPackage(work.path());
  out.clear();
  const int installed = RunShell("dpkg -i " + Quote(deb), &out);
  INFO(out);
  REQUIRE(installed == 0);

  out.clear();
  CHECK(RunShell("getent passwd docbus", &out) == 0);
  CHECK(out.find("/var/lib/docbus") != std::string::npos);
  out.clear();
  CHECK(RunShell("stat -c '%a %U:%G' /etc/docbus", &out) == 0);
  CHECK(out == "750 root:docbus\n");
  out.clear();
  CHECK(RunShell("/usr/bin/docbus-broker --help", &out) == 0);
  CHECK(out.find("--config") != std::string::npos);
  out.clear();
  CHECK(RunShell("/usr/bin/docbus-agent --help", &out) == 0);
  CHECK(VerifyUnits("/usr/lib/systemd/system") == "");

  out.clear();
  CHECK(RunShell("dpkg --purge docbus", &out) == 0);
  CHECK(!fs::exists("/usr/bin/docbus-broker"));
  CHECK(!fs::exists("/etc/docbus"));
}

}  // namespace docbus
