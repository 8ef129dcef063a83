#include "bus/witness/witness.h"

#include <charconv>
#include <vector>

#include "bus/audit/checkpoint.h"
#include "bus/audit/note_util.h"
#include "bus/core/log.h"
#include "bus/crypto/sha256.h"

namespace docbus::witness {
namespace {

constexpr std::string_view kCosignedTotal = "docbus_witness_cosigned_total";
constexpr std::string_view kRefusedTotal = "docbus_witness_refused_total";
constexpr std::string_view kLogSize = "docbus_witness_log_size";

// A strict decimal: digits only, no leading zero, fits in 63 bits.
std::optional<uint64_t> ParseSize(std::string_view text) {
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0'))
    return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() ||
      value > (uint64_t{1} << 63) - 1)
    return std::nullopt;
  return value;
}

struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<audit::Hash> proof;
  std::string_view note;
};

// Splits the body; the error says which part is wrong (never its bytes).
Result<AddCheckpointRequest> ParseBody(std::string_view body) {
  AddCheckpointRequest req;
  size_t eol = body.find('\n');
  if (eol == std::string_view::npos || !body.starts_with("old ")) {
    return Status(Code::kMalformed, "no \"old <size>\" line");
  }
  std::optional<uint64_t> old = ParseSize(body.substr(4, eol - 4));
  if (!old) return Status(Code::kMalformed, "bad old size");
  req.old_size = *old;
  size_t pos = eol + 1;
  while (true) {
    eol = body.find('\n', pos);
    if (eol == std::string_view::npos) {
      return Status(Code::kMalformed, "no empty line before the checkpoint");
    }
    if (eol == pos) break;
    if (static_cast<int>(req.proof.size()) == kMaxProofLines) {
      return Status(Code::kMalformed, "more than 63 proof lines");
    }
    std::optional<audit::Hash> hash =
        audit::HashFromBase64(body.substr(pos, eol - pos));
    if (!hash) {
      return Status(Code::kMalformed,
                    "proof line " + std::to_string(req.proof.size() + 1) +
                        " is not a base64 hash");
    }
    req.proof.push_back(*hash);
    pos = eol + 1;
  }
  req.note = body.substr(eol + 1);
  return req;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace

Witness::Witness(audit::Cosigner cosigner,
                 std::map<std::string, audit::NoteVerifier> logs,
                 WitnessStore& store, const Clock& clock, Metrics& metrics)
    : cosigner_(std::move(cosigner)),
      logs_(std::move(logs)),
      store_(store),
      clock_(clock),
      metrics_(metrics) {
  for (const auto& [origin, verifier] : logs_) {
    origin_by_hex_[Hex(crypto::Sha256(origin))] = origin;
  }
}

Status Witness::Init() {
  metrics_.Describe(std::string(kCosignedTotal), "counter",
                    "Checkpoints cosigned (re-cosignatures included).");
  metrics_.Describe(std::string(kRefusedTotal), "counter",
                    "add-checkpoint requests refused, by reason.");
  metrics_.Describe(std::string(kLogSize), "gauge",
                    "Size of the latest cosigned checkpoint, by log origin.");
  metrics_.Declare(kCosignedTotal);
  for (const char* reason : kRefusalReasons) {
    metrics_.Declare(kRefusedTotal, Label("reason", reason));
  }
  for (const auto& [origin, verifier] : logs_) {
    metrics_.Set(kLogSize, Label("origin", origin), 0);
  }
  DOCBUS_ASSIGN_OR_RETURN(std::vector<WitnessedCheckpoint> all, store_.All());
  for (const WitnessedCheckpoint& w : all) {
    metrics_.Set(kLogSize, Label("origin", w.checkpoint.origin),
                 static_cast<double>(w.checkpoint.size));
  }
  return Status::Ok();
}

WitnessAnswer Witness::Refuse(int http_status, std::string reason,
                              std::string_view why) {
  static const auto log = ComponentLogger("witness");
  log->warn("add-checkpoint refused ({} {}): {}", http_status, reason, why);
  metrics_.Add(kRefusedTotal, Label("reason", reason));
  WitnessAnswer answer;
  answer.http_status = http_status;
  answer.body = std::string(why) + "\n";
  answer.reason = std::move(reason);
  return answer;
}

WitnessAnswer Witness::AddCheckpoint(std::string_view body) {
  if (body.size() > kMaxAddCheckpointBytes) {
    return Refuse(413, "too_large", "body over 64 KiB");
  }
  Result<AddCheckpointRequest> req = ParseBody(body);
  if (!req.ok()) return Refuse(400, "malformed", req.status().message());
  // The origin comes from the note's text; the log's key then proves it.
  Result<audit::SplitNote> split = audit::SplitSignedNote(req->note);
  if (!split.ok()) return Refuse(400, "malformed", "checkpoint note: bad form");
  Result<audit::Checkpoint> unverified = audit::ParseCheckpoint(split->text);
  if (!unverified.ok()) {
    return Refuse(400, "malformed", "checkpoint: " + unverified.status().message());
  }
  const std::string& origin = unverified->origin;
  auto log = logs_.find(origin);
  if (log == logs_.end()) {
    // An unknown origin is only named by its length: it is the sender's text.
    return Refuse(404, "unknown_origin",
                  "unknown log origin (" + std::to_string(origin.size()) +
                      " bytes)");
  }
  Result<audit::Checkpoint> opened = audit::OpenCheckpoint(log->second, req->note);
  if (!opened.ok()) {
    return Refuse(403, "bad_signature",
                  "'" + origin + "' size " + std::to_string(unverified->size) +
                      ": no valid signature of the log's key");
  }
  const audit::Checkpoint next = *opened;
  const std::string sizes = "'" + origin + "' old " +
                            std::to_string(req->old_size) + " size " +
                            std::to_string(next.size);
  if (req->old_size > next.size) {
    return Refuse(400, "old_too_large", sizes + ": old size over the checkpoint's");
  }

  // Signed before the transaction so that the stored note holds it; returned
  // only once the commit is on disk.
  const uint64_t now_s = static_cast<uint64_t>(clock_.NowUnixMillis() / 1000);
  const std::string line = cosigner_.SignatureLine(split->text, now_s);
  WitnessAnswer refusal;
  const Status s = store_.Advance(
      origin,
      [&](const audit::Checkpoint& stored) -> Status {
        if (req->old_size != stored.size) {
          refusal = Refuse(409, "size_mismatch",
                           sizes + ": witnessed size is " +
                               std::to_string(stored.size));
          refusal.body = std::to_string(stored.size) + "\n";
          refusal.content_type = "text/x.tlog.size";
          return Status(Code::kFailedPrecondition, "size mismatch");
        }
        if (next.size == stored.size) {
          if (next.root != stored.root) {
            refusal = Refuse(422, "fork", sizes + ": same size, another root");
            return Status(Code::kCorruption, "fork");
          }
          if (!req->proof.empty()) {
            refusal = Refuse(422, "bad_proof", sizes + ": proof for equal sizes");
            return Status(Code::kCorruption, "bad proof");
          }
          return Status::Ok();
        }
        const Status extends = audit::CheckpointExtends(stored, next, req->proof);
        if (!extends.ok()) {
          refusal = Refuse(422, "bad_proof",
                           sizes + ": consistency proof does not verify");
          return Status(Code::kCorruption, "bad proof");
        }
        return Status::Ok();
      },
      WitnessedCheckpoint{next, std::string(req->note) + line});
  if (!refusal.reason.empty()) return refusal;
  if (!s.ok()) {
    return Refuse(500, "store_error", sizes + ": " + s.ToString());
  }
  metrics_.Add(kCosignedTotal);
  metrics_.Set(kLogSize, Label("origin", origin), static_cast<double>(next.size));
  WitnessAnswer answer;
  answer.body = line;
  return answer;
}

Result<std::string> Witness::LatestNote(std::string_view origin_sha256_hex) {
  auto it = origin_by_hex_.find(std::string(origin_sha256_hex));
  if (it == origin_by_hex_.end()) {
    return Status(Code::kNotFound, "no such log");
  }
  DOCBUS_ASSIGN_OR_RETURN(std::optional<WitnessedCheckpoint> latest,
                          store_.Latest(it->second));
  if (!latest) return Status(Code::kNotFound, "nothing cosigned yet");
  return latest->note;
}

}  // namespace docbus::witness
