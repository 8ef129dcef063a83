// What an auditor's `docbus audit` reads from a log it does not trust:
// checkpoint notes, entry bundles, c2sp.org/tlog-proof@v1 receipts and the
// audit records themselves. Bad input must come back as an error, never a
// crash; what parses must format back to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/checkpoint.h"
#include "bus/audit/lifecycle_checker.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/note_verifier.h"
#include "bus/audit/tiles.h"
#include "bus/audit/tlog_proof.h"
#include "bus/core/log.h"

namespace {

using namespace docbus::audit;

// The origin of the local deployment's broker log (the seed bundle's entries).
constexpr std::string_view kOrigin = "docbus.gov.vn/axis/test";

const NoteVerifier& Verifier() {
  static const NoteVerifier verifier = [] {
    auto keys = GenerateNoteKeys(std::string(kOrigin));
    if (!keys.ok()) std::abort();
    auto v = NoteVerifier::FromVerifierKey(keys->verifier_key);
    if (!v.ok()) std::abort();
    return *std::move(v);
  }();
  return verifier;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  docbus::RouteProtobufLogs();  // as `docbus audit` does
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto checkpoint = ParseCheckpoint(text); checkpoint.ok()) {
    auto again = ParseCheckpoint(FormatCheckpoint(*checkpoint));
    if (!again.ok() || !(*again == *checkpoint)) std::abort();
  }
  (void)OpenCheckpoint(Verifier(), text);

  std::vector<std::string_view> entries;
  if (ParseEntryBundle(text, &entries).ok()) {
    auto bundle = FormatEntryBundle({entries.begin(), entries.end()});
    if (!bundle.ok() || *bundle != text) std::abort();
  }
  LifecycleChecker broker_rules(std::string(kOrigin), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!broker_rules.Check(static_cast<int64_t>(i), entries[i]).ok()) break;
  }
  int64_t bad_index = 0;
  (void)broker_rules.Finish(&bad_index);

  if (auto proof = ParseTlogProof(text); proof.ok() && !proof->extra) {
    const std::string formatted =
        FormatTlogProof(proof->index, proof->proof, proof->signed_checkpoint);
    if (formatted != text) std::abort();
  }
  (void)VerifyTlogProof(text, "entry", Verifier());
  return 0;
}
