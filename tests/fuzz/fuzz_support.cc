#include "tests/fuzz/fuzz_support.h"

#include <filesystem>
#include <fstream>

#include "certs/authority.h"

namespace docbus::fuzz {
namespace {

namespace fs = std::filesystem;

const fs::path& Folder() {
  static const fs::path folder = fs::temp_directory_path() / "docbus-fuzz-pki";
  return folder;
}

std::string ReadLine(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

const pki::PkiPaths& FuzzPki() {
  static const pki::PkiPaths pki = [] {
    pki::PkiPaths paths(Folder());
    if (!fs::exists(paths.registry())) {
      Must(pki::InitAuthority(paths.dir()), "authority");
      Must(pki::IssueBroker(paths.dir()), "broker certificate");
      Must(pki::IssueAgency(paths.dir(), kG22, "Văn phòng Chính phủ", ""),
           "G22");
      Must(pki::IssueAgency(paths.dir(), kH41, "Bộ Nội vụ", ""), "H41");
    }
    return paths;
  }();
  return pki;
}

const audit::NoteKeys& FuzzLogKeys() {
  static const audit::NoteKeys keys = [] {
    FuzzPki();
    const fs::path skey = Folder() / "log.key", vkey = Folder() / "log.vkey";
    if (!fs::exists(vkey)) {
      audit::NoteKeys made =
          Must(audit::GenerateNoteKeys(kLogOrigin), "log keys");
      std::ofstream(skey) << made.signer_key << "\n";
      std::ofstream(vkey) << made.verifier_key << "\n";
    }
    return audit::NoteKeys{ReadLine(skey), ReadLine(vkey)};
  }();
  return keys;
}

void WriteSeedsIfAsked(const std::function<std::vector<std::string>()>& inputs) {
  const char* folder = std::getenv("DOCBUS_FUZZ_SEEDS");
  if (folder == nullptr) return;
  fs::create_directories(folder);
  int n = 0;
  for (const std::string& input : inputs()) {
    std::ofstream(fs::path(folder) / ("seed-" + std::to_string(++n)),
                  std::ios::binary)
        << input;
  }
  std::exit(0);
}

std::string LogLevel() {
  const char* level = std::getenv("DOCBUS_FUZZ_LOG");
  return level != nullptr ? level : "off";
}

}  // namespace docbus::fuzz
