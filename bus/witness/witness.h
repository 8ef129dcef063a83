// Witness: the C2SP tlog-witness logic of docbus-witness, apart from HTTP.
// AddCheckpoint takes the body of a POST /add-checkpoint
//   "old <size>\n" <0..63 base64 consistency-proof lines> "\n" <signed note>
// checks it against the configured logs and the store, and answers with the
// HTTP status the protocol gives for each outcome (README.md, "Protocol").
// A checkpoint is cosigned only after the store committed it, and any
// refusal leaves the store as it was. Each refusal is logged once (origin
// and sizes only, never the note) and counted by reason.
//
// Thread-safety: all calls from any thread; the store serialises updates.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "bus/audit/cosignature.h"
#include "bus/audit/note_verifier.h"
#include "bus/core/clock.h"
#include "bus/core/metrics.h"
#include "bus/witness/witness_store.h"

namespace docbus::witness {

// Bodies over this are refused with 413.
inline constexpr size_t kMaxAddCheckpointBytes = 64 * 1024;
// A consistency proof of a tree below 2^63 entries has at most 63 hashes.
inline constexpr int kMaxProofLines = 63;

// What the HTTP layer sends back.
struct WitnessAnswer {
  int http_status = 200;
  std::string body;
  std::string content_type = "text/plain; charset=utf-8";
  std::string reason;  // the refusal's metric label; empty on 200
};

// The refusal reasons, as counted in docbus_witness_refused_total{reason}.
inline constexpr const char* kRefusalReasons[] = {
    "malformed",      "too_large",   "unknown_origin", "bad_signature",
    "old_too_large",  "size_mismatch", "bad_proof",    "fork",
    "store_error"};

class Witness {
 public:
  // `logs`: the verifier keys of the witnessed logs, by origin. `store`,
  // `clock` and `metrics` must outlive the witness.
  Witness(audit::Cosigner cosigner,
          std::map<std::string, audit::NoteVerifier> logs, WitnessStore& store,
          const Clock& clock, Metrics& metrics);

  // Declares the metrics and sets the size gauges from the store.
  // kIoError / kCorruption when the store cannot be read.
  Status Init();

  WitnessAnswer AddCheckpoint(std::string_view body);
  // Counts and logs a refusal made before AddCheckpoint could run (the HTTP
  // layer's 413 for a body over the limit).
  WitnessAnswer Refuse(int http_status, std::string reason,
                       std::string_view why);

  // The latest cosigned note of the log whose origin hashes to
  // `origin_sha256_hex` (lowercase), for GET /<hex>/checkpoint. kNotFound
  // when none.
  Result<std::string> LatestNote(std::string_view origin_sha256_hex);

  const audit::Cosigner& cosigner() const { return cosigner_; }

 private:
  audit::Cosigner cosigner_;
  std::map<std::string, audit::NoteVerifier> logs_;
  std::map<std::string, std::string> origin_by_hex_;
  WitnessStore& store_;
  const Clock& clock_;
  Metrics& metrics_;
};

}  // namespace docbus::witness
