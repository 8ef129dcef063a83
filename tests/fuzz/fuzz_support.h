// What the fuzz targets that run daemons share: a test PKI kept in
// <temp>/docbus-fuzz-pki (agencies G22 and H41, the broker, the broker log's
// note keys), so that seeds signed in one run stay valid in the next, and
// Must(), which aborts the run with the failure (set-up errors only).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "bus/audit/note_signer.h"
#include "bus/core/status.h"
#include "certs/pki_paths.h"

namespace docbus::fuzz {

inline const std::string kG22 = "000.00.00.G22";
inline const std::string kH41 = "000.00.00.H41";
inline const std::string kLogOrigin = "docbus.fuzz/broker-log";

inline void Must(const Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
    std::abort();
  }
}

template <typename T>
T Must(Result<T> result, const char* what) {
  Must(result.status(), what);
  return std::move(result).value();
}

// The daemon under test (a T made on first use), destroyed by an exit
// handler: its threads must stop before exit destroys the statics they use.
template <typename T>
T& DaemonUnderTest() {
  static T* daemon = nullptr;
  if (daemon == nullptr) {
    daemon = new T();
    std::atexit([] { delete std::exchange(daemon, nullptr); });
  }
  return *daemon;
}

const pki::PkiPaths& FuzzPki();
// The broker log's note keys (kLogOrigin), kept beside the PKI.
const audit::NoteKeys& FuzzLogKeys();

// DOCBUS_FUZZ_LOG=<level> shows the daemon's log; "off" otherwise.
std::string LogLevel();

// With DOCBUS_FUZZ_SEEDS=<folder>: writes each of `inputs()` there as
// seed-<n> and exits. Otherwise does nothing. For LLVMFuzzerInitialize.
void WriteSeedsIfAsked(const std::function<std::vector<std::string>()>& inputs);

}  // namespace docbus::fuzz
