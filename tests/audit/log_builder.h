// Builds audit logs for the tests: records of each event type, a log with
// its own note key that exports itself as tiles, and raw appends that skip
// AuditLog's safeguards (to forge lifecycle violations).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "bus/audit/audit_log.h"
#include "bus/audit/checkpoint.h"
#include "bus/audit/memory_log_storage.h"
#include "bus/audit/merkle.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/tiles.h"
#include "bus/core/clock.h"
#include "bus/core/ids.h"
#include "docbus/v1/audit.pb.h"

namespace docbus::audit::testing {

inline v1::AuditRecord Record(v1::AuditEvent event, const std::string& message,
                              const std::string& sender,
                              std::vector<std::string> recipients,
                              uint64_t prior_index_plus_one = 0) {
  v1::AuditRecord r;
  r.set_event(event);
  r.set_message_id(message);
  r.set_sender(sender);
  for (auto& to : recipients) r.add_recipients(to);
  r.set_prior_index_plus_one(prior_index_plus_one);
  if (event == v1::AUDIT_ACCEPTED) r.set_header_sha256(std::string(32, 'h'));
  if (event == v1::AUDIT_DELIVERED) r.set_evidence_sha256(std::string(32, 'e'));
  return r;
}

inline v1::AuditRecord StatusRecord(v1::AuditEvent event,
                                    const std::string& status_id,
                                    const std::string& message,
                                    const std::string& reporter,
                                    const std::string& addressee,
                                    uint64_t prior_index_plus_one = 0) {
  v1::AuditRecord r =
      Record(event, message, reporter, {addressee}, prior_index_plus_one);
  r.set_status_id(status_id);
  r.set_status_code(v1::StatusCode(3));
  return r;
}

// A log in memory with its own key, exportable as tiles.
class TestLog {
 public:
  explicit TestLog(std::string origin = "docbus.test/axis/2026")
      : keys_(*GenerateNoteKeys(origin)),
        signer_(*NoteSigner::FromKey(keys_.signer_key)),
        log_(storage_, origin, &clock_) {}

  int64_t Add(v1::AuditRecord record) {
    clock_.Advance(std::chrono::milliseconds(3));
    auto index = log_.Append(std::move(record));
    if (!index.ok()) throw std::runtime_error(index.status().ToString());
    return *index;
  }

  // Appends exact bytes, bypassing AuditLog (for forged entries).
  int64_t AddRaw(const std::string& entry) {
    int64_t index = static_cast<int64_t>(storage_.entries().size());
    auto hashes = StoredHashesForRecord(index, LeafHash(entry), storage_);
    if (!hashes.ok() || !storage_.Append(index, entry, *hashes).ok()) {
      throw std::runtime_error("raw append failed");
    }
    log_.Reload();
    return index;
  }
  int64_t AddRaw(const v1::AuditRecord& record) {
    return AddRaw(record.SerializeAsString());
  }
  // A record as AuditLog would fill it, but not appended.
  v1::AuditRecord Filled(v1::AuditRecord record) {
    record.set_format_version(1);
    record.set_log_origin(log_.origin());
    if (record.event_id().empty()) record.set_event_id(RandomBytes16());
    if (record.time_unix_ms() == 0)
      record.set_time_unix_ms(clock_.NowUnixMillis());
    return record;
  }

  // Signs a checkpoint of the current size and exports what changed since
  // the last Publish into `dir`. Returns the signed checkpoint.
  std::string Publish(const std::filesystem::path& dir) {
    uint64_t size = storage_.entries().size();
    Checkpoint cp{log_.origin(), size, *log_.Root(static_cast<int64_t>(size))};
    std::string note = signer_.Sign(FormatCheckpoint(cp));
    Status s = PublishTiles(storage_, published_[dir], size, note, dir);
    if (!s.ok()) throw std::runtime_error(s.ToString());
    published_[dir] = size;
    return note;
  }

  // A simple broker history: `documents` documents from A to B and C, each
  // delivered to both with the receipts handed back, and a status from B.
  void AddBrokerTraffic(int documents, const std::string& prefix = "msg-") {
    for (int d = 0; d < documents; ++d) {
      std::string id = prefix + std::to_string(d);
      const std::string a = "000.00.00.G22", b = "000.00.01.H01",
                        c = "000.00.02.H02";
      v1::AuditRecord accepted = Record(v1::AUDIT_ACCEPTED, id, a, {b, c});
      accepted.set_document_id(a + ",2026/05/29," + std::to_string(d) +
                               "/VPCP");
      uint64_t acc = static_cast<uint64_t>(Add(accepted)) + 1;
      uint64_t del_b = Add(Record(v1::AUDIT_DELIVERED, id, a, {b}, acc)) + 1;
      Add(Record(v1::AUDIT_NOTIFIED, id, "", {a}, del_b));
      uint64_t del_c = Add(Record(v1::AUDIT_DELIVERED, id, a, {c}, acc)) + 1;
      Add(Record(v1::AUDIT_NOTIFIED, id, "", {a}, del_c));
      uint64_t st =
          Add(StatusRecord(v1::AUDIT_STATUS, id + "-s", id, b, a, acc)) + 1;
      v1::AuditRecord notified = Record(v1::AUDIT_NOTIFIED, id, "", {a}, st);
      notified.set_status_id(id + "-s");
      Add(notified);
    }
  }

  const std::string& verifier_key() const { return keys_.verifier_key; }
  NoteVerifier verifier() const {
    return *NoteVerifier::FromVerifierKey(keys_.verifier_key);
  }
  const NoteSigner& signer() const { return signer_; }
  MemoryLogStorage& storage() { return storage_; }
  AuditLog& log() { return log_; }
  FakeClock& clock() { return clock_; }

 private:
  NoteKeys keys_;
  NoteSigner signer_;
  FakeClock clock_;
  MemoryLogStorage storage_;
  AuditLog log_;
  std::map<std::filesystem::path, uint64_t> published_;
};

}  // namespace docbus::audit::testing
