// What an agency system sends the agent's HTTP API as JSON: a document (POST
// /v1/documents, inline or multipart), a status report (POST
// /v1/documents/<id>/status), and a drop folder submission's document.json.
// Bad input must come back as an error, never a crash; a document that parses
// must render to JSON that parses back to the same document; a drop folder
// submission never reads a file from outside its folder (a symlink there
// points at one).
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <google/protobuf/util/message_differencer.h>

#include "agents/json_codec.h"
#include "tests/temp_dir.h"

namespace {

using docbus::agent::DocumentRequestFromJson;
using docbus::agent::DumpJson;
using docbus::agent::RenderDocumentRequest;

constexpr int64_t kNowUnixMs = 1'795'000'000'000;

// Multipart parts: every name but "missing" has a few bytes.
docbus::Status Part(const std::string& name,
                    docbus::agent::AttachmentInput* a) {
  if (name == "missing") return docbus::Status(docbus::Code::kNotFound, name);
  a->data = "part " + name;
  return docbus::Status::Ok();
}

// The contents of the file outside the submission folder: random, so that
// no input can carry them in its own data_base64.
const std::string& Outside() {
  static const std::string secret = docbus::Hex(docbus::RandomBytes16());
  return secret;
}

// A drop folder submission: a.pdf and sub/b.pdf inside, and "link", a
// symlink to a file outside the folder.
const std::filesystem::path& SubmissionFolder() {
  static docbus::testing::TempDir dir("docbus-fuzz-drop");
  static const std::filesystem::path folder = [] {
    const std::filesystem::path f = dir.path() / "submission";
    std::filesystem::create_directories(f / "sub");
    std::ofstream(f / "a.pdf") << "inside";
    std::ofstream(f / "sub" / "b.pdf") << "inside";
    std::ofstream(dir.path() / "secret") << Outside();
    std::filesystem::create_symlink(dir.path() / "secret", f / "link");
    return f;
  }();
  return folder;
}

bool Same(const docbus::agent::DocumentRequest& a,
          const docbus::agent::DocumentRequest& b) {
  if (!google::protobuf::util::MessageDifferencer::Equals(a.header, b.header) ||
      a.attachments.size() != b.attachments.size()) {
    return false;
  }
  for (size_t i = 0; i < a.attachments.size(); ++i) {
    const auto &x = a.attachments[i], &y = b.attachments[i];
    if (x.name != y.name || x.media_type != y.media_type || x.data != y.data ||
        x.uploaded_sha256 != y.uploaded_sha256)
      return false;
  }
  return true;
}

// The request rendered as JSON parses back to the same request.
void CheckRoundTrip(const docbus::agent::DocumentRequest& request,
                    const docbus::agent::JsonLimits& limits) {
  auto again = DocumentRequestFromJson(DumpJson(RenderDocumentRequest(request)),
                                       kNowUnixMs, limits);
  if (!again.ok() || !Same(request, *again)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  docbus::agent::JsonLimits limits;
  limits.max_attachment_bytes = 1 << 16;
  limits.max_total_attachment_bytes = 1 << 17;
  if (auto request = DocumentRequestFromJson(text, kNowUnixMs, limits);
      request.ok()) {
    CheckRoundTrip(*request, limits);
  }
  if (auto request = DocumentRequestFromJson(text, kNowUnixMs, limits, Part);
      request.ok()) {
    CheckRoundTrip(*request, limits);
  }
  if (auto request = docbus::agent::DropDocumentFromJson(
          text, SubmissionFolder(), kNowUnixMs, limits);
      request.ok()) {
    for (const auto& attachment : request->attachments) {
      if (attachment.data.find(Outside()) != std::string::npos) std::abort();
    }
    CheckRoundTrip(*request, limits);
  }
  (void)docbus::agent::StatusReportFromJson(text, limits);
  return 0;
}
