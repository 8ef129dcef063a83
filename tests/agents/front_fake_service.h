// An in-memory AgentService for the front-end tests (HTTP API, drop folder,
// CLI): it records what the front ends hand it, answers from tables the test
// fills, and can be told to refuse. Thread-safe like the real one, because
// the HTTP API calls it from the server's threads. Also the small helpers
// those tests share (file I/O, test bytes, a received document).
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agents/agent_service.h"
#include "bus/core/clock.h"
#include "bus/core/ids.h"
#include "tests/temp_dir.h"

namespace docbus::agent::testing {

class FakeAgentService final : public AgentService {
 public:
  struct Report {
    std::string message_id;
    v1::StatusCode code;
    std::string description, to;
  };

  // --- what the test sets up ---------------------------------------------
  // Submit answers this error (e.g. kUnavailable) until cleared with Ok().
  void FailSubmitWith(Status status) {
    std::lock_guard lock(mu_);
    submit_error_ = std::move(status);
  }
  // Submit refuses documents to this agency with kUnknownRecipient.
  void RefuseRecipient(std::string id) {
    std::lock_guard lock(mu_);
    unknown_.insert(std::move(id));
  }
  // Documents submitted from now on are at once accepted at `audit_index`
  // and receipted by every recipient (or rejected when rejected_reason set).
  void AnswerSubmissions(int64_t audit_index,
                         std::string rejected_reason = "") {
    std::lock_guard lock(mu_);
    answer_index_ = audit_index;
    rejected_reason_ = std::move(rejected_reason);
  }
  void AddOutgoing(OutgoingView view) {
    std::lock_guard lock(mu_);
    outgoing_[view.message_id] = std::move(view);
  }
  // Takes the next seq (1, 2, ...) and returns it.
  int64_t AddIncoming(IncomingDocument document) {
    std::lock_guard lock(mu_);
    document.summary.seq = static_cast<int64_t>(incoming_.size()) + 1;
    incoming_.push_back(std::move(document));
    return incoming_.back().summary.seq;
  }
  void AddStatus(StatusView status) {
    std::lock_guard lock(mu_);
    statuses_.push_back(std::move(status));
  }
  // For the edXML bridge: an agency known by `id_or_alias`, a received
  // status's signed body, the agency's time zone.
  void AddAgency(const std::string& id_or_alias, AgencyName agency) {
    std::lock_guard lock(mu_);
    agencies_[id_or_alias] = std::move(agency);
  }
  void AddStatusBody(v1::StatusBody body) {
    std::lock_guard lock(mu_);
    status_bodies_[body.status_id()] = std::move(body);
  }
  void SetTimeZone(document::TimeZone zone) { zone_.emplace(std::move(zone)); }

  // --- what the test checks ----------------------------------------------
  std::vector<std::pair<std::string, DocumentRequest>> Submitted() const {
    std::lock_guard lock(mu_);
    return submitted_;
  }
  std::vector<Report> Reports() const {
    std::lock_guard lock(mu_);
    return reports_;
  }
  int submit_calls() const {
    std::lock_guard lock(mu_);
    return submit_calls_;
  }

  // --- AgentService --------------------------------------------------------
  // Uploads land in a scratch folder, as in the agent's outbox files.
  Result<std::unique_ptr<OutboxFiles::Writer>> BeginAttachment() override {
    return uploads_.Begin(uint64_t{1} << 30, "limits.max_attachment_bytes");
  }

  // Records uploaded attachments with their bytes read back, so tests see
  // what arrived whichever way it came.
  Result<std::string> Submit(DocumentRequest request) override {
    std::lock_guard lock(mu_);
    ++submit_calls_;
    if (!submit_error_.ok()) return submit_error_;
    for (AttachmentInput& a : request.attachments) {
      if (a.uploaded_sha256.empty()) continue;
      DOCBUS_ASSIGN_OR_RETURN(StoredAttachment stored,
                              uploads_.Claim(a.uploaded_sha256));
      DOCBUS_ASSIGN_OR_RETURN(
          a.data, uploads_.Read(a.uploaded_sha256, 0, stored.size));
    }
    for (const v1::Organ& to : request.header.to()) {
      if (unknown_.contains(to.organ_id())) {
        return Status(Code::kUnknownRecipient,
                      "to: " + to.organ_id() + " is not in the registry");
      }
    }
    std::string id = NewMessageId(clock_);
    OutgoingView view;
    view.message_id = id;
    view.state = "pending";
    for (const v1::Organ& to : request.header.to()) {
      view.recipients.push_back(to.organ_id());
    }
    if (!rejected_reason_.empty()) {
      view.state = "rejected";
      view.reason = rejected_reason_;
      view.detail = "refused by the broker";
    } else if (answer_index_ >= 0) {
      view.state = "accepted";
      view.audit_index = answer_index_;
      for (const std::string& r : view.recipients) {
        view.receipts.push_back({r, clock_.NowUnixMillis()});
      }
    }
    outgoing_[id] = view;
    submitted_.emplace_back(id, std::move(request));
    return id;
  }

  Result<std::string> ReportStatus(std::string_view message_id,
                                   v1::StatusCode code, std::string description,
                                   std::string to) override {
    std::lock_guard lock(mu_);
    reports_.push_back(
        {std::string(message_id), code, std::move(description), std::move(to)});
    return NewMessageId(clock_);
  }

  Result<OutgoingView> Outgoing(std::string_view message_id) override {
    std::lock_guard lock(mu_);
    auto it = outgoing_.find(std::string(message_id));
    if (it == outgoing_.end())
      return Status(Code::kNotFound, "no such document");
    return it->second;
  }

  Result<std::vector<OutgoingView>> ListOutgoing(int64_t limit) override {
    std::lock_guard lock(mu_);
    std::vector<OutgoingView> out;
    // UUIDv7 ids sort by time, so reverse id order is newest first.
    for (auto it = outgoing_.rbegin();
         it != outgoing_.rend() && static_cast<int64_t>(out.size()) < limit;
         ++it) {
      out.push_back(it->second);
    }
    return out;
  }

  Result<std::vector<IncomingSummary>> ListIncoming(int64_t after_seq,
                                                    int64_t limit) override {
    std::lock_guard lock(mu_);
    std::vector<IncomingSummary> out;
    for (const IncomingDocument& d : incoming_) {
      if (d.summary.seq > after_seq &&
          static_cast<int64_t>(out.size()) < limit) {
        out.push_back(d.summary);
      }
    }
    return out;
  }

  Result<IncomingDocument> Incoming(std::string_view message_id) override {
    std::lock_guard lock(mu_);
    for (const IncomingDocument& d : incoming_) {
      if (d.summary.message_id == message_id) return d;
    }
    return Status(Code::kNotFound, "no such document in the inbox");
  }

  Result<std::vector<StatusView>> ListStatusesReceived(int64_t after_seq,
                                                       int64_t limit) override {
    std::lock_guard lock(mu_);
    std::vector<StatusView> out;
    for (size_t i = 0; i < statuses_.size(); ++i) {
      const int64_t seq = static_cast<int64_t>(i) + 1;
      if (seq > after_seq && static_cast<int64_t>(out.size()) < limit) {
        out.push_back(statuses_[i]);
      }
    }
    return out;
  }

  const std::string& agency_id() const override { return agency_; }
  Metrics& metrics() override { return metrics_; }

  Result<AgencyName> ResolveAgency(std::string_view id_or_alias) override {
    std::lock_guard lock(mu_);
    auto it = agencies_.find(std::string(id_or_alias));
    if (it == agencies_.end()) return Status(Code::kUnknownAgency, "unknown");
    return it->second;
  }
  Result<v1::StatusBody> StatusReceived(std::string_view status_id) override {
    std::lock_guard lock(mu_);
    auto it = status_bodies_.find(std::string(status_id));
    if (it == status_bodies_.end()) return Status(Code::kNotFound, "unknown");
    return it->second;
  }
  const document::TimeZone& time_zone() const override {
    return zone_.has_value() ? *zone_ : AgentService::time_zone();
  }

 private:
  mutable std::mutex mu_;
  FakeClock clock_;
  std::string agency_ = "000.00.00.G22";
  Metrics metrics_;
  Status submit_error_;
  std::set<std::string> unknown_;
  int64_t answer_index_ = -1;
  std::string rejected_reason_;
  int submit_calls_ = 0;
  std::vector<std::pair<std::string, DocumentRequest>> submitted_;
  std::vector<Report> reports_;
  std::map<std::string, OutgoingView> outgoing_;
  std::vector<IncomingDocument> incoming_;
  std::vector<StatusView> statuses_;
  std::map<std::string, AgencyName> agencies_;
  std::map<std::string, v1::StatusBody> status_bodies_;
  std::optional<document::TimeZone> zone_;  // set before use, then read-only
  ::docbus::testing::TempDir upload_dir_{"docbus-fake-uploads"};
  const OutboxFiles uploads_{upload_dir_.path()};
};

// Every byte value, so "byte-identical" checks catch any text mangling.
inline std::string AllBytes(size_t repeat = 3) {
  std::string out;
  for (size_t r = 0; r < repeat; ++r) {
    for (int b = 0; b < 256; ++b) out.push_back(static_cast<char>(b));
  }
  return out;
}

// Whole-file reads and writes for the tests that go through the file system.
inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

inline void WriteAll(const std::filesystem::path& path,
                     const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

// A received document with binary header/signature bytes and attachments.
inline IncomingDocument MakeIncoming(const std::string& message_id,
                                     std::vector<AttachmentInput> attachments) {
  IncomingDocument d;
  d.summary.message_id = message_id;
  d.summary.sender = "000.00.00.H41";
  d.summary.subject = "Về việc thử nghiệm";
  d.summary.document_id = "000.00.00.H41,2026/11/28,7/UBND-VP";
  d.summary.priority = 3;
  d.summary.received_unix_ms = 1'780'000'000'123;
  d.header.set_message_id(message_id);
  d.header.mutable_from()->set_organ_id("000.00.00.H41");
  d.header.add_to()->set_organ_id("000.00.00.G22");
  d.header.set_subject(d.summary.subject);
  d.header.mutable_code()->set_code_number("7");
  d.header.mutable_code()->set_code_notation("UBND-VP");
  d.header.set_document_id(d.summary.document_id);
  d.header.set_priority(v1::PRIORITY_FLASH);
  for (const AttachmentInput& a : attachments) {
    v1::AttachmentManifest* m = d.header.add_attachments();
    m->set_name(a.name);
    m->set_media_type(a.media_type);
    m->set_size(a.data.size());
    m->set_sha256(std::string(32, '\x5a'));
  }
  d.header_bytes = d.header.SerializeAsString() + std::string("\0\xff\x80", 3);
  d.signature = std::string("\x30\x82\x00\x00", 4) + AllBytes(1);
  d.attachments = std::move(attachments);
  return d;
}

}  // namespace docbus::agent::testing
