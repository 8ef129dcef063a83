// The committed corpora (seeds, and the input of any crash found since) run
// through the pure fuzz targets in the ordinary build, so every CI run replays
// them with the targets' checks (a broken round trip aborts). The frame
// targets' seeds are signed with a local PKI and are not committed.
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

extern "C" int AgentJsonFuzzInput(const uint8_t* data, size_t size);
extern "C" int AuditFormatsFuzzInit(int* argc, char*** argv);
extern "C" int AuditFormatsFuzzInput(const uint8_t* data, size_t size);
extern "C" int EdxmlEnvelopeFuzzInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

void Replay(const std::string& target, int (*input)(const uint8_t*, size_t)) {
  int files = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(
           fs::path(DOCBUS_SOURCE_DIR) / "tests/fuzz/corpus" / target)) {
    std::ifstream in(e.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    INFO(e.path().string());
    // A target aborts (failing this test) when an input breaks its checks.
    input(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ++files;
  }
  CHECK(files > 0);
}

TEST_CASE("the committed fuzz corpora pass through their targets", "[fuzz]") {
  Replay("agent_json_fuzz", AgentJsonFuzzInput);
  AuditFormatsFuzzInit(nullptr, nullptr);
  Replay("audit_formats_fuzz", AuditFormatsFuzzInput);
  Replay("edxml_envelope_fuzz", EdxmlEnvelopeFuzzInput);
}

}  // namespace
