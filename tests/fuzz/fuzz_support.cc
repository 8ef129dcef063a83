#include "tests/fuzz/fuzz_support.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "bus/core/clock.h"
#include "bus/core/ids.h"
#include "bus/crypto/sha256.h"
#include "bus/crypto/signer.h"
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
    const fs::path skey = FuzzLogKeyFile(), vkey = Folder() / "log.vkey";
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

std::filesystem::path FuzzLogKeyFile() { return Folder() / "log.key"; }

std::string SignedBy(const std::string& agency, const std::string& bytes) {
  static std::map<std::string, std::unique_ptr<crypto::Signer>> signers;
  auto& signer = signers[agency];
  if (!signer) {
    signer = Must(crypto::Signer::Load(FuzzPki().agency_key(agency),
                                       FuzzPki().agency_certificate(agency)),
                  "signer");
  }
  return Must(signer->Sign(bytes), "sign");
}

v1::DocumentHeader SeedHeader(const std::string& from, const std::string& to,
                              const std::string& body) {
  static RealClock clock;
  v1::DocumentHeader header;
  header.set_message_id(NewMessageId(clock));
  header.mutable_from()->set_organ_id(from);
  header.add_to()->set_organ_id(to);
  header.mutable_code()->set_code_number("12");
  header.mutable_code()->set_code_notation("VPCP-TH");
  header.mutable_promulgation_info()->set_promulgation_date("2026/11/28");
  header.set_subject("V/v thử nghiệm");
  header.set_document_id(from + ",2026/11/28,12/VPCP-TH");
  header.set_created_unix_ms(clock.NowUnixMillis());
  v1::AttachmentManifest* m = header.add_attachments();
  m->set_name("phu-luc.pdf");
  m->set_media_type("application/pdf");
  m->set_size(body.size());
  m->set_sha256(crypto::Sha256(body));
  return header;
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

void SendWithin(const std::function<transport::SendResult()>& send) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (send() != transport::SendResult::kSent) {
    if (std::chrono::steady_clock::now() > deadline)
      Must(Status(Code::kInternal, "the daemon stopped reading"), "send");
    usleep(1000);
  }
}

v1::Frame ParsedFrame(const std::string& payload) {
  v1::Frame frame;
  if (!frame.ParseFromString(payload))
    Must(Status(Code::kInternal, "the daemon sent an unparsable frame"),
         "receive");
  return frame;
}

std::string LogLevel() {
  const char* level = std::getenv("DOCBUS_FUZZ_LOG");
  return level != nullptr ? level : "off";
}

}  // namespace docbus::fuzz
