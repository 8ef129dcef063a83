#include "bus/audit/audit_history.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>
#include <unordered_map>

#include "bus/audit/exported_log.h"
#include "bus/audit/lifecycle_checker.h"
#include "bus/core/ids.h"
#include "bus/document/status_rules.h"

namespace docbus::audit {

std::string FormatTimeMs(int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  int millis = static_cast<int>(unix_ms % 1000);
  if (millis < 0) {
    millis += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, millis);
  return buf;
}

Result<LoadedLog> LoadExportedLog(const std::filesystem::path& dir) {
  DOCBUS_ASSIGN_OR_RETURN(ExportedLog exported, ExportedLog::Open(dir));
  LoadedLog log;
  DOCBUS_ASSIGN_OR_RETURN(log.checkpoint, exported.UnverifiedCheckpoint());
  log.signed_checkpoint = exported.signed_checkpoint();
  // The size is unverified: presize for at most about a million entries.
  const size_t presize = static_cast<size_t>(
      std::min<uint64_t>(log.checkpoint.size, uint64_t{1} << 20));
  log.entries.reserve(presize);
  log.records.reserve(presize);
  DOCBUS_RETURN_IF_ERROR(exported.ForEachEntry(
      log.checkpoint.size, nullptr,
      [&](int64_t index, std::string_view entry) -> Status {
        LoadedRecord loaded;
        loaded.index = index;
        if (!loaded.record.ParseFromArray(entry.data(),
                                          static_cast<int>(entry.size()))) {
          return Status(Code::kCorruption, "entry " + std::to_string(index) +
                                               " is not an AuditRecord");
        }
        log.entries.emplace_back(entry);
        log.records.push_back(std::move(loaded));
        return Status::Ok();
      }));
  return log;
}

nlohmann::json RecordJson(const LoadedRecord& loaded) {
  const v1::AuditRecord& r = loaded.record;
  nlohmann::json j;
  j["index"] = loaded.index;
  j["event"] = std::string(LifecycleChecker::EventName(r.event()));
  j["time"] = FormatTimeMs(r.time_unix_ms());
  j["time_unix_ms"] = r.time_unix_ms();
  j["event_id"] = Hex(r.event_id());
  j["message_id"] = r.message_id();
  if (!r.document_id().empty()) j["document_id"] = r.document_id();
  j["sender"] = r.sender();
  j["recipients"] =
      std::vector<std::string>(r.recipients().begin(), r.recipients().end());
  if (!r.header_sha256().empty()) j["header_sha256"] = Hex(r.header_sha256());
  if (r.attachment_sha256_size() > 0) {
    auto& a = j["attachment_sha256"] = nlohmann::json::array();
    for (const auto& d : r.attachment_sha256()) a.push_back(Hex(d));
  }
  j["prior_index"] = r.prior_index_plus_one() == 0
                         ? nlohmann::json(nullptr)
                         : nlohmann::json(r.prior_index_plus_one() - 1);
  if (r.reason() != 0) j["reason"] = v1::Reason_Name(r.reason());
  if (r.status_code() != 0)
    j["status_code"] = v1::StatusCode_Name(r.status_code());
  if (!r.status_id().empty()) j["status_id"] = r.status_id();
  if (!r.evidence_sha256().empty()) {
    j["evidence_sha256"] = Hex(r.evidence_sha256());
  }
  if (r.broker_index_plus_one() != 0) {
    j["broker_index"] = r.broker_index_plus_one() - 1;
  }
  if (r.reported_unix_ms() != 0) j["reported_unix_ms"] = r.reported_unix_ms();
  if (r.business_type() != v1::BUSINESS_NEW) {
    j["business"] = std::string(document::BusinessTypeName(r.business_type()));
  }
  if (!r.business_target_document_id().empty()) {
    j["business_target_document_id"] = r.business_target_document_id();
  }
  if (r.event() == v1::AUDIT_REGISTRY) {
    j["registry_serial"] = r.registry_serial();
    j["registry_sha256"] = Hex(r.registry_sha256());
    auto& changes = j["registry_changes"] = nlohmann::json::array();
    for (const v1::RegistryChange& c : r.registry_changes()) {
      changes.push_back({{"agency_id", c.agency_id()},
                         {"change", v1::RegistryChange::Kind_Name(c.kind())}});
    }
  }
  return j;
}

std::string RegistryChangesText(const v1::AuditRecord& r) {
  std::string out;
  for (const v1::RegistryChange& c : r.registry_changes()) {
    if (!out.empty()) out += ", ";
    out += v1::RegistryChange::Kind_Name(c.kind()) + " " + c.agency_id();
  }
  return out.empty() ? "no agency changed" : out;
}

std::string RecordText(const LoadedRecord& loaded) {
  const v1::AuditRecord& r = loaded.record;
  std::string line = "#" + std::to_string(loaded.index) + " " +
                     FormatTimeMs(r.time_unix_ms()) + " " +
                     std::string(LifecycleChecker::EventName(r.event()));
  if (!r.sender().empty()) line += " from " + r.sender();
  if (r.recipients_size() > 0) {
    line += " to ";
    for (int i = 0; i < r.recipients_size(); ++i) {
      line += (i > 0 ? "," : "") + r.recipients(i);
    }
  }
  if (!r.status_id().empty()) {
    line += " status " + r.status_id();
    if (r.status_code() != 0)
      line += " " + v1::StatusCode_Name(r.status_code());
  }
  if (r.reported_unix_ms() != 0) {
    line += " reported " + FormatTimeMs(r.reported_unix_ms());
  }
  if (r.business_type() != v1::BUSINESS_NEW) {
    line += " " + std::string(document::BusinessTypeName(r.business_type())) +
            " of " + r.business_target_document_id();
  }
  if (r.reason() != 0) line += " reason " + v1::Reason_Name(r.reason());
  if (r.prior_index_plus_one() != 0) {
    line += " after #" + std::to_string(r.prior_index_plus_one() - 1);
  }
  if (r.broker_index_plus_one() != 0) {
    line += " broker #" + std::to_string(r.broker_index_plus_one() - 1);
  }
  if (r.event() == v1::AUDIT_REGISTRY) {
    line += " serial " + std::to_string(r.registry_serial()) + " sha256 " +
            Hex(r.registry_sha256()).substr(0, 16) + ": " +
            RegistryChangesText(r);
  }
  return line;
}

namespace {

// Documents in order of first appearance, each with its records.
std::vector<std::pair<std::string, std::vector<const LoadedRecord*>>>
GroupByDocument(const LoadedLog& log) {
  std::vector<std::pair<std::string, std::vector<const LoadedRecord*>>> docs;
  std::unordered_map<std::string, size_t> position;
  for (const LoadedRecord& r : log.records) {
    const std::string& id = r.record.message_id();
    if (id.empty()) continue;
    auto [it, fresh] = position.emplace(id, docs.size());
    if (fresh) docs.emplace_back(id, std::vector<const LoadedRecord*>{});
    docs[it->second].second.push_back(&r);
  }
  return docs;
}

// The document's identity as its first record that knows it tells.
void DescribeDocument(const std::vector<const LoadedRecord*>& records,
                      std::string* document_id, std::string* sender,
                      std::vector<std::string>* recipients) {
  for (const LoadedRecord* r : records) {
    const auto& rec = r->record;
    bool defines =
        rec.event() == v1::AUDIT_ACCEPTED || rec.event() == v1::AUDIT_SENT ||
        rec.event() == v1::AUDIT_RECEIVED || rec.event() == v1::AUDIT_REJECTED;
    if (document_id->empty()) *document_id = rec.document_id();
    if (defines && sender->empty()) {
      *sender = rec.sender();
      recipients->assign(rec.recipients().begin(), rec.recipients().end());
    }
  }
}

// The documents that revoke, update or replace another (broker log: their
// ACCEPTED names the target's DocumentId), by "sender\ntarget DocumentId",
// in log order.
std::unordered_map<std::string, std::vector<const LoadedRecord*>>
ActingDocuments(const LoadedLog& log) {
  std::unordered_map<std::string, std::vector<const LoadedRecord*>> out;
  for (const LoadedRecord& r : log.records) {
    const v1::AuditRecord& rec = r.record;
    if (rec.event() != v1::AUDIT_ACCEPTED ||
        rec.business_type() == v1::BUSINESS_NEW) {
      continue;
    }
    out[rec.sender() + "\n" + rec.business_target_document_id()].push_back(&r);
  }
  return out;
}

// One accepted status of the chain: code, who, to whom, both clocks.
nlohmann::json StatusJson(const LoadedRecord& loaded) {
  const v1::AuditRecord& r = loaded.record;
  nlohmann::json j = {
      {"index", loaded.index},
      {"status_id", r.status_id()},
      {"code", static_cast<int>(r.status_code())},
      {"status", v1::StatusCode_Name(r.status_code())},
      {"from", r.sender()},
      {"to", r.recipients_size() > 0 ? r.recipients(0) : std::string()},
      {"reported_unix_ms", r.reported_unix_ms()},
      {"broker_unix_ms", r.time_unix_ms()},
      {"broker_time", FormatTimeMs(r.time_unix_ms())}};
  if (r.reported_unix_ms() != 0) {
    j["reported_time"] = FormatTimeMs(r.reported_unix_ms());
  }
  return j;
}

const std::vector<const LoadedRecord*>* ActingOn(
    const std::unordered_map<std::string, std::vector<const LoadedRecord*>>&
        acting,
    const std::string& sender, const std::string& document_id) {
  if (document_id.empty()) return nullptr;
  auto found = acting.find(sender + "\n" + document_id);
  return found == acting.end() ? nullptr : &found->second;
}

}  // namespace

nlohmann::json Replay(const LoadedLog& log) {
  const auto acting = ActingDocuments(log);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [message_id, records] : GroupByDocument(log)) {
    nlohmann::json doc;
    std::string document_id, sender;
    std::vector<std::string> recipients;
    DescribeDocument(records, &document_id, &sender, &recipients);
    doc["message_id"] = message_id;
    doc["document_id"] = document_id;
    doc["sender"] = sender;
    doc["recipients"] = recipients;
    auto& events = doc["events"] = nlohmann::json::array();
    auto& statuses = doc["statuses"] = nlohmann::json::array();
    for (const LoadedRecord* r : records) {
      events.push_back(RecordJson(*r));
      const v1::AuditRecord& rec = r->record;
      if (rec.event() == v1::AUDIT_STATUS) statuses.push_back(StatusJson(*r));
      if (rec.event() == v1::AUDIT_ACCEPTED &&
          rec.business_type() != v1::BUSINESS_NEW) {
        doc["acts_on"] = {
            {"business", document::BusinessTypeName(rec.business_type())},
            {"document_id", rec.business_target_document_id()}};
      }
    }
    auto& acted = doc["acted_on_by"] = nlohmann::json::array();
    if (auto* list = ActingOn(acting, sender, document_id)) {
      for (const LoadedRecord* a : *list) {
        if (a->record.message_id() == message_id) continue;
        acted.push_back({{"message_id", a->record.message_id()},
                         {"business", document::BusinessTypeName(
                                          a->record.business_type())},
                         {"index", a->index}});
      }
    }
    out.push_back(std::move(doc));
  }
  // Who may send, as it changed: one element per registry put in force.
  for (const LoadedRecord& r : log.records) {
    if (r.record.event() == v1::AUDIT_REGISTRY) {
      out.push_back({{"registry", RecordJson(r)}});
    }
  }
  return out;
}

std::string ReplayText(const LoadedLog& log) {
  const auto acting = ActingDocuments(log);
  std::string out;
  for (const auto& [message_id, records] : GroupByDocument(log)) {
    std::string document_id, sender;
    std::vector<std::string> recipients;
    DescribeDocument(records, &document_id, &sender, &recipients);
    out += "document " + message_id;
    if (!document_id.empty()) out += " (" + document_id + ")";
    if (!sender.empty()) out += " from " + sender;
    out += "\n";
    for (const LoadedRecord* r : records) out += "  " + RecordText(*r) + "\n";
    if (auto* list = ActingOn(acting, sender, document_id)) {
      for (const LoadedRecord* a : *list) {
        if (a->record.message_id() == message_id) continue;
        out +=
            "  " +
            std::string(document::BusinessTypeName(a->record.business_type())) +
            "d by " + a->record.message_id() + " (#" +
            std::to_string(a->index) + ")\n";
      }
    }
  }
  std::string registry;
  for (const LoadedRecord& r : log.records) {
    if (r.record.event() == v1::AUDIT_REGISTRY) {
      registry += "  " + RecordText(r) + "\n";
    }
  }
  if (!registry.empty()) out += "registry (who may send)\n" + registry;
  return out;
}

std::vector<const LoadedRecord*> Trace(const LoadedLog& log,
                                       std::string_view id) {
  std::set<std::string, std::less<>> message_ids;
  for (const LoadedRecord& r : log.records) {
    if (r.record.message_id() == id || r.record.document_id() == id) {
      message_ids.insert(r.record.message_id());
    }
  }
  std::vector<const LoadedRecord*> out;
  for (const LoadedRecord& r : log.records) {
    if (r.record.document_id() == id ||
        (!r.record.message_id().empty() &&
         message_ids.count(r.record.message_id()) > 0)) {
      out.push_back(&r);
    }
  }
  return out;
}

}  // namespace docbus::audit
