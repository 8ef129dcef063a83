#include "agents/drop_folder.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agents/drop_files.h"
#include "agents/edxml/edxml_drop.h"
#include "bus/core/files.h"
#include "bus/core/ids.h"
#include "bus/core/log.h"

namespace docbus::agent {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kPage = 100;
constexpr char kSubmitted[] = "docbus_agent_drop_submitted_total";
constexpr char kFailed[] = "docbus_agent_drop_failed_total";
constexpr char kExported[] = "docbus_agent_drop_exported_total";

std::string UniqueSuffix() { return Hex(RandomBytes16()).substr(0, 12); }

// Which file of attachments/ holds each manifest entry, by name in order.
std::vector<std::string> ManifestFiles(const IncomingDocument& doc,
                                       const std::vector<std::string>& files) {
  std::vector<bool> used(doc.attachments.size(), false);
  std::vector<std::string> out;
  for (const v1::AttachmentManifest& m : doc.header.attachments()) {
    std::string file;
    for (size_t j = 0; j < doc.attachments.size(); ++j) {
      if (!used[j] && doc.attachments[j].name == m.name()) {
        used[j] = true;
        file = "attachments/" + files[j];
        break;
      }
    }
    out.push_back(file);
  }
  return out;
}

class DropFolderImpl final : public DropFolder {
 public:
  DropFolderImpl(AgentService& service, fs::path folder,
                 std::chrono::milliseconds interval, const Clock* clock,
                 const JsonLimits& limits)
      : service_(service),
        folder_(std::move(folder)),
        interval_(interval),
        clock_(clock != nullptr ? clock : &real_clock_),
        limits_(limits),
        edxml_(service, AgentLimitsOf(limits)),
        log_(ComponentLogger("agent-drop")) {}

  ~DropFolderImpl() override {
    {
      std::lock_guard lock(stop_mu_);
      stop_ = true;
    }
    stop_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  const fs::path& folder() const override { return folder_; }

  Status Init() {
    std::error_code ec;
    for (const char* sub :
         {"outbox", "sent", "failed", "inbox", "status", ".tmp"}) {
      fs::create_directories(folder_ / sub, ec);
      if (ec) {
        return Status(
            Code::kIoError,
            "cannot create " + (folder_ / sub).string() + ": " + ec.message());
      }
    }
    // Leftovers of a scan interrupted by a crash; their final copies are
    // made again from the agent's store.
    for (const auto& entry : fs::directory_iterator(folder_ / ".tmp", ec)) {
      fs::remove_all(entry.path(), ec);
    }
    Metrics& m = service_.metrics();
    m.Describe(kSubmitted, "counter",
               "Drop folder submissions accepted by the agent");
    m.Describe(kFailed, "counter",
               "Drop folder submissions refused, by reason");
    m.Describe(kExported, "counter",
               "Documents and statuses exported to the drop folder");
    // At 0 from start, so rate() sees the first one (see Metrics::Declare).
    m.Declare(kSubmitted);
    m.Declare(kExported, Label("kind", "document"));
    m.Declare(kExported, Label("kind", "status"));
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }

  Status ScanNow() override {
    std::lock_guard lock(scan_mu_);
    Status first = ScanOutbox();
    Status inbox = ExportInbox();
    if (first.ok()) first = inbox;
    Status statuses = ExportStatuses();
    if (first.ok()) first = statuses;
    return first;
  }

 private:
  void Run() {
    std::unique_lock lock(stop_mu_);
    std::string last_error;
    // The first scan comes one interval after start, so start-up is quick
    // and a caller of ScanNow() is alone until then.
    while (!stop_cv_.wait_for(lock, interval_, [this] { return stop_; })) {
      lock.unlock();
      const Status scanned = ScanNow();
      // A lasting problem (a full disk) is logged when it starts and ends,
      // not at every scan.
      if (scanned.ToString() != last_error && !scanned.ok()) {
        log_->error("agency={} drop folder scan failed: {}",
                    service_.agency_id(), scanned.ToString());
      } else if (scanned.ok() && !last_error.empty()) {
        log_->info("agency={} drop folder scans work again",
                   service_.agency_id());
      }
      last_error = scanned.ok() ? "" : scanned.ToString();
      lock.lock();
    }
  }

  fs::path Sub(const char* name) const { return folder_ / name; }

  // The agent's disk is nearly full: the submission stays in outbox/ and is
  // tried at the next scan. One text for every submission and scan, so the
  // scan loop logs it once when it starts and once when it ends.
  static Status WaitForRoom() {
    return Status(Code::kResourceExhausted,
                  "the agent's data folder is below limits.min_free_bytes; "
                  "submissions stay in outbox/ until space returns");
  }

  Status ScanOutbox() {
    std::error_code ec;
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(Sub("outbox"), ec)) {
      std::string name = entry.path().filename().string();
      if (!name.empty() && name.front() != '.')
        names.push_back(std::move(name));
    }
    if (ec)
      return Status(Code::kIoError,
                    "cannot list the drop outbox: " + ec.message());
    std::sort(names.begin(), names.end());
    Status first;
    for (const std::string& name : names) {
      Status done = ProcessSubmission(name);
      if (first.ok() && !done.ok()) first = done;
    }
    return first;
  }

  // Errors returned here are the agent's or the disk's (retried next scan);
  // a bad submission is moved to failed/ and is not an error of the scan.
  Status ProcessSubmission(const std::string& name) {
    const fs::path dir = Sub("outbox") / name;
    if (IsEdxmlSubmission(name) && !IsDirectory(dir)) {
      return ProcessEdxml(name);
    }
    if (!IsDirectory(dir)) {
      return Refuse(name, Status(Code::kInvalidField,
                                 "not a submission folder (expected a folder "
                                 "with document.json)"));
    }
    // Submitted before a crash that came before the move: never twice.
    if (PathExists(dir / "message-id")) return MoveTo(Sub("sent"), name);
    const size_t max_json = limits_.max_inline_bytes / 3 * 4 + (1 << 20);
    Result<std::string> text = ReadRegularFile(dir / "document.json", max_json);
    if (!text.ok() && text.status().code() == Code::kIoError)
      return text.status();
    if (!text.ok()) {
      return Refuse(name, Status(text.status().code() == Code::kNotFound
                                     ? Code::kInvalidField
                                     : text.status().code(),
                                 text.status().message()));
    }
    Result<DocumentRequest> request = DocumentRequestFromJson(
        *text, clock_->NowUnixMillis(), limits_, DropFolderFiles(service_, dir));
    if (!request.ok()) {
      if (request.status().code() == Code::kIoError) return request.status();
      if (request.status().code() == Code::kResourceExhausted) {
        return WaitForRoom();
      }
      return Refuse(name, request.status());
    }
    Result<std::string> id = service_.Submit(std::move(request).value());
    if (!id.ok()) {
      const Code code = id.status().code();
      if (code == Code::kResourceExhausted) return WaitForRoom();
      if (code == Code::kUnavailable || code == Code::kIoError) {
        return Status(code,
                      "submission " + name + ": " + id.status().message());
      }
      return Refuse(name, id.status());
    }
    // Atomic: a crash never leaves a torn message-id that would pass for
    // a finished submission.
    DOCBUS_RETURN_IF_ERROR(WriteFileAtomically(dir / "message-id", *id + "\n"));
    service_.metrics().Add(kSubmitted);
    log_->info(
        "agency={} message_id={} submitted from drop folder submission={}",
        service_.agency_id(), *id, name);
    return MoveTo(Sub("sent"), name);
  }

  // An envelope or status packet file: imported, then sent/<name>/ holds
  // it with its `message-id` (or `status-id`). Imported again after a crash
  // before the move, an envelope is answered its first id (the bridge's
  // idempotency key).
  Status ProcessEdxml(const std::string& name) {
    const fs::path file = Sub("outbox") / name;
    Result<EdxmlImported> imported = ImportEdxmlFile(
        edxml_, file, MaxEnvelopeBytes(AgentLimitsOf(limits_)));
    if (!imported.ok()) {
      const Code code = imported.status().code();
      if (code == Code::kResourceExhausted) return WaitForRoom();
      if (code == Code::kUnavailable || code == Code::kIoError) {
        return Status(code, "submission " + name + ": " +
                                imported.status().message());
      }
      return Refuse(name, imported.status());
    }
    const fs::path wrap = Sub(".tmp") / ("wrap-" + UniqueSuffix());
    std::error_code ec;
    fs::create_directory(wrap, ec);
    if (ec) return Status(Code::kIoError, "cannot create " + wrap.string());
    DOCBUS_RETURN_IF_ERROR(RenameInto(file, wrap / name));
    DOCBUS_RETURN_IF_ERROR(WriteFileAtomically(
        wrap / (imported->kind == "status" ? "status-id" : "message-id"),
        imported->id + "\n"));
    service_.metrics().Add(kSubmitted);
    log_->info("agency={} {}={} imported from drop folder edxml={}",
               service_.agency_id(),
               imported->kind == "status" ? "status_id" : "message_id",
               imported->id, name);
    return Place(wrap, Sub("sent"), name);
  }

  Status Refuse(const std::string& name, const Status& why) {
    service_.metrics().Add(kFailed, Label("reason", CodeName(why.code())));
    log_->warn("agency={} drop folder submission={} refused: {}",
               service_.agency_id(), name, why.ToString());
    fs::path dir = Sub("outbox") / name;
    if (!IsDirectory(dir)) {
      // A stray file: wrap it in a folder so failed/ holds folders only.
      const fs::path wrap = Sub(".tmp") / ("wrap-" + UniqueSuffix());
      std::error_code ec;
      fs::create_directory(wrap, ec);
      if (ec) return Status(Code::kIoError, "cannot create " + wrap.string());
      DOCBUS_RETURN_IF_ERROR(RenameInto(dir, wrap / name));
      dir = wrap;
    }
    DOCBUS_RETURN_IF_ERROR(
        WriteFileAtomically(dir / "error.txt", why.ToString() + "\n"));
    return Place(dir, Sub("failed"), name);
  }

  Status MoveTo(const fs::path& dest_dir, const std::string& name) {
    return Place(Sub("outbox") / name, dest_dir, name);
  }

  // Renames `from` to dest_dir/name, or name.1, name.2... when an earlier
  // submission used the same name.
  Status Place(const fs::path& from, const fs::path& dest_dir,
               const std::string& name) {
    for (int n = 0; n < 10000; ++n) {
      const fs::path to =
          dest_dir / (n == 0 ? name : name + "." + std::to_string(n));
      if (PathExists(to)) continue;
      Status moved = RenameInto(from, to);
      if (moved.code() == Code::kAlreadyExists) continue;
      DOCBUS_RETURN_IF_ERROR(moved);
      DOCBUS_RETURN_IF_ERROR(SyncDir(from.parent_path()));
      return SyncDir(dest_dir);
    }
    return Status(Code::kIoError,
                  "no free name for " + name + " in " + dest_dir.string());
  }

  Result<int64_t> ReadCursor(const char* name) {
    Result<std::string> text = ReadRegularFile(folder_ / name, 64);
    if (!text.ok()) {
      return text.status().code() == Code::kNotFound
                 ? Result<int64_t>(int64_t{0})
                 : Result<int64_t>(text.status());
    }
    std::string_view s = *text;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
      s.remove_suffix(1);
    int64_t value = 0;
    auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (err != std::errc() || end != s.data() + s.size() || value < 0) {
      // Starting over is safe: exports already in place are skipped.
      log_->error("agency={} drop folder cursor {} is corrupt; starting over",
                  service_.agency_id(), name);
      return int64_t{0};
    }
    return value;
  }

  Status WriteCursor(const char* name, int64_t value) {
    return WriteFileAtomically(folder_ / name, std::to_string(value) + "\n");
  }

  Status ExportInbox() {
    DOCBUS_ASSIGN_OR_RETURN(int64_t cursor, ReadCursor(".inbox-cursor"));
    while (true) {
      DOCBUS_ASSIGN_OR_RETURN(auto page, service_.ListIncoming(cursor, kPage));
      const int64_t before = cursor;
      Status failed;
      for (const IncomingSummary& s : page) {
        failed = ExportOne(s);
        if (!failed.ok()) break;
        cursor = std::max(cursor, s.seq);
      }
      if (cursor != before)
        DOCBUS_RETURN_IF_ERROR(WriteCursor(".inbox-cursor", cursor));
      DOCBUS_RETURN_IF_ERROR(failed);
      if (static_cast<int64_t>(page.size()) < kPage) return Status::Ok();
    }
  }

  Status ExportOne(const IncomingSummary& s) {
    if (ValidateMessageId(s.message_id).ok() &&
        PathExists(Sub("inbox") / s.message_id)) {
      return Status::Ok();
    }
    // The envelope first: the folder's presence is what says "done".
    Status envelope = WriteDocumentEdxml(edxml_, s.message_id, Sub("inbox"));
    if (envelope.code() == Code::kIoError) return envelope;
    if (!envelope.ok()) {
      log_->error("agency={} message_id={} no edXML envelope exported: {}",
                  service_.agency_id(), s.message_id, envelope.ToString());
    }
    DOCBUS_ASSIGN_OR_RETURN(IncomingDocument doc,
                            service_.Incoming(s.message_id));
    Status exported = ExportIncomingDocument(doc, Sub("inbox"), Sub(".tmp"));
    if (exported.code() == Code::kAlreadyExists) return Status::Ok();
    if (exported.code() == Code::kInvalidField) {
      // Cannot be a folder name; skip it rather than block the inbox.
      log_->error("agency={} seq={} not exported: {}", service_.agency_id(),
                  s.seq, exported.ToString());
      return Status::Ok();
    }
    DOCBUS_RETURN_IF_ERROR(exported);
    service_.metrics().Add(kExported, Label("kind", "document"));
    log_->info("agency={} message_id={} exported to the drop folder inbox",
               service_.agency_id(), s.message_id);
    return Status::Ok();
  }

  // StatusView has no seq: the cursor counts statuses listed, which never
  // skips one (seqs are increasing and at least their rank) and may list
  // one again when seqs have gaps; a status already exported is skipped.
  Status ExportStatuses() {
    DOCBUS_ASSIGN_OR_RETURN(int64_t cursor, ReadCursor(".status-cursor"));
    while (true) {
      DOCBUS_ASSIGN_OR_RETURN(auto page,
                              service_.ListStatusesReceived(cursor, kPage));
      for (const StatusView& s : page) DOCBUS_RETURN_IF_ERROR(ExportStatus(s));
      if (!page.empty()) {
        cursor += static_cast<int64_t>(page.size());
        DOCBUS_RETURN_IF_ERROR(WriteCursor(".status-cursor", cursor));
      }
      if (static_cast<int64_t>(page.size()) < kPage) return Status::Ok();
    }
  }

  Status ExportStatus(const StatusView& s) {
    if (!ValidateMessageId(s.status_id).ok()) {
      log_->error("agency={} message_id={} status with a bad id not exported",
                  service_.agency_id(), s.message_id);
      return Status::Ok();
    }
    const fs::path target = Sub("status") / (s.status_id + ".json");
    if (PathExists(target)) return Status::Ok();
    Status packet = WriteStatusEdxml(edxml_, s.status_id, Sub("status"));
    if (packet.code() == Code::kIoError) return packet;
    if (!packet.ok()) {
      log_->error("agency={} status_id={} no edXML packet exported: {}",
                  service_.agency_id(), s.status_id, packet.ToString());
    }
    const fs::path tmp = Sub(".tmp") / (s.status_id + ".json");
    DOCBUS_RETURN_IF_ERROR(
        WriteFileSynced(tmp, DumpJson(RenderStatus(s), 2) + "\n"));
    DOCBUS_RETURN_IF_ERROR(RenameInto(tmp, target));
    DOCBUS_RETURN_IF_ERROR(SyncDir(Sub("status")));
    service_.metrics().Add(kExported, Label("kind", "status"));
    log_->info("agency={} message_id={} status={} exported to the drop folder",
               service_.agency_id(), s.message_id, s.code);
    return Status::Ok();
  }

  AgentService& service_;
  const fs::path folder_;
  const std::chrono::milliseconds interval_;
  RealClock real_clock_;
  const Clock* clock_;
  const JsonLimits limits_;
  EdxmlBridge edxml_;
  std::shared_ptr<spdlog::logger> log_;
  std::mutex scan_mu_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

Status ExportIncomingDocument(const IncomingDocument& doc,
                              const fs::path& parent, const fs::path& scratch) {
  const std::string& id = doc.summary.message_id;
  DOCBUS_RETURN_IF_ERROR(ValidateMessageId(id));
  const fs::path final_dir = parent / id;
  if (PathExists(final_dir))
    return Status(Code::kAlreadyExists, final_dir.string() + " exists");
  const fs::path tmp = scratch / (id + "." + UniqueSuffix());
  std::error_code ec;
  fs::create_directories(tmp / "attachments", ec);
  if (ec)
    return Status(Code::kIoError,
                  "cannot create " + tmp.string() + ": " + ec.message());
  Status written = [&]() -> Status {
    std::vector<std::string> files;
    for (size_t i = 0; i < doc.attachments.size(); ++i) {
      std::string file = doc.attachments[i].name;
      if (!IsPlainFileName(file) ||
          std::find(files.begin(), files.end(), file) != files.end()) {
        file = "attachment-" + std::to_string(i + 1);
      }
      // One that arrived in chunks is copied from its file, never read whole.
      const bool in_file =
          i < doc.attachment_files.size() && !doc.attachment_files[i].empty();
      DOCBUS_RETURN_IF_ERROR(in_file
                                 ? CopyFileSynced(doc.attachment_files[i],
                                                  tmp / "attachments" / file)
                                 : WriteFileSynced(tmp / "attachments" / file,
                                                   doc.attachments[i].data));
      files.push_back(std::move(file));
    }
    const std::string header_json =
        DumpJson(RenderHeader(doc.header, ManifestFiles(doc, files)), 2) + "\n";
    DOCBUS_RETURN_IF_ERROR(WriteFileSynced(tmp / "header.json", header_json));
    DOCBUS_RETURN_IF_ERROR(
        WriteFileSynced(tmp / "header.bin", doc.header_bytes));
    DOCBUS_RETURN_IF_ERROR(
        WriteFileSynced(tmp / "signature.der", doc.signature));
    DOCBUS_RETURN_IF_ERROR(SyncDir(tmp / "attachments"));
    DOCBUS_RETURN_IF_ERROR(SyncDir(tmp));
    DOCBUS_RETURN_IF_ERROR(RenameInto(tmp, final_dir));
    return SyncDir(parent);
  }();
  if (!written.ok()) fs::remove_all(tmp, ec);
  return written;
}

Result<std::unique_ptr<DropFolder>> StartDropFolder(
    AgentService& service, const fs::path& folder,
    std::chrono::milliseconds scan_interval, const Clock* clock,
    const JsonLimits& limits) {
  auto drop = std::make_unique<DropFolderImpl>(service, folder, scan_interval,
                                               clock, limits);
  DOCBUS_RETURN_IF_ERROR(drop->Init());
  return std::unique_ptr<DropFolder>(std::move(drop));
}

}  // namespace docbus::agent
