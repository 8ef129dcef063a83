#include "agents/upload_routes.h"

#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "agents/agent_metrics.h"
#include "agents/outbox_files.h"
#include "bus/core/chunks.h"
#include "bus/core/ids.h"

namespace docbus::agent {
namespace {

constexpr char kDocumentPart[] = "document";

Status JsonTooLarge(size_t max_json_bytes) {
  return Status(Code::kTooLarge,
                "the document's JSON is larger than " +
                    std::to_string(max_json_bytes) +
                    " bytes (limits.max_inline_bytes as base64, plus 1 MiB)");
}

void CountUploaded(AgentService& service, const StoredAttachment& stored) {
  service.metrics().Add(metric::kAttachmentBytesUploaded, "",
                        static_cast<double>(stored.size));
}

// The parts of a multipart submission as they stream by. A file part of up
// to kChunkedAbove bytes is kept in memory (while the parts kept so stay
// within max_inline_bytes); a larger one goes to the outbox files as it
// arrives.
class PartSink {
 public:
  PartSink(AgentService& service, size_t max_parts, size_t max_json_bytes,
           size_t max_inline_bytes)
      : service_(service),
        max_parts_(max_parts),
        max_json_(max_json_bytes),
        max_inline_(max_inline_bytes) {}

  // After a failure the rest of the body is read and dropped, so that the
  // client gets the answer rather than a broken pipe.
  bool OnHeader(const httplib::MultipartFormData& part) {
    if (!failure_.ok()) return true;
    if (!FinishPart()) return true;
    if (part.name.empty() || part.name.size() > 255) {
      return Fail(Status(Code::kInvalidField,
                         "multipart: every part needs a name of 1 to 255 "
                         "bytes"));
    }
    if (++parts_ > max_parts_) {
      return Fail(Status(Code::kTooLarge,
                         "multipart: more than " + std::to_string(max_parts_) +
                             " parts (limits.max_attachments, plus the "
                             "document)"));
    }
    if (part.name == kDocumentPart ? has_json_ : files_.contains(part.name)) {
      return Fail(Status(Code::kInvalidField,
                         "multipart: two parts named " + part.name));
    }
    name_ = part.name;
    in_part_ = true;
    if (name_ == kDocumentPart) has_json_ = true;
    return true;
  }

  bool OnData(const char* data, size_t length) {
    if (!failure_.ok()) return true;
    if (name_ == kDocumentPart) {
      if (json_.size() + length > max_json_) return Fail(JsonTooLarge(max_json_));
      json_.append(data, length);
      return true;
    }
    if (writer_ == nullptr) {
      if (buffer_.size() + length <= kChunkedAbove &&
          inline_ + buffer_.size() + length <= max_inline_) {
        buffer_.append(data, length);
        return true;
      }
      Result<std::unique_ptr<OutboxFiles::Writer>> writer =
          service_.BeginAttachment();
      if (!writer.ok()) return Fail(writer.status());
      writer_ = std::move(writer).value();
      if (!OnFileData(buffer_) || !failure_.ok()) return true;
      buffer_.clear();
    }
    return OnFileData(std::string_view(data, length));
  }

  // After the last part.
  bool FinishPart() {
    if (!failure_.ok()) return false;
    if (!in_part_ || name_ == kDocumentPart) return true;
    in_part_ = false;
    AttachmentInput& file = files_[name_];
    if (writer_ == nullptr) {
      inline_ += buffer_.size();
      file.data = std::move(buffer_);
      buffer_.clear();
      return true;
    }
    Result<StoredAttachment> stored = writer_->Commit();
    writer_.reset();
    if (!stored.ok()) return Fail(stored.status());
    CountUploaded(service_, *stored);
    file.uploaded_sha256 = std::move(stored->sha256);
    return true;
  }

  const Status& failure() const { return failure_; }
  bool has_json() const { return has_json_; }
  const std::string& json() const { return json_; }
  std::map<std::string, AttachmentInput>& files() { return files_; }

 private:
  bool OnFileData(std::string_view data) {
    Status written = writer_->Write(data);
    if (!written.ok()) {
      return Fail(written.code() == Code::kTooLarge
                      ? Status(Code::kTooLarge, "part " + name_ + ": " +
                                                    written.message())
                      : written);
    }
    return true;
  }

  // Records the first failure; the body is drained from then on.
  bool Fail(Status why) {
    if (failure_.ok()) failure_ = std::move(why);
    writer_.reset();
    return true;
  }

  AgentService& service_;
  const size_t max_parts_, max_json_, max_inline_;
  size_t parts_ = 0;
  std::string name_;  // of the part being read
  bool in_part_ = false;
  std::string buffer_;  // a small part's bytes
  size_t inline_ = 0;   // bytes of the parts kept in memory
  std::unique_ptr<OutboxFiles::Writer> writer_;
  bool has_json_ = false;
  std::string json_;
  std::map<std::string, AttachmentInput> files_;  // data or uploaded_sha256
  Status failure_;
};

}  // namespace

Result<std::string> ReadBody(const httplib::Request& req,
                             const httplib::ContentReader& read,
                             size_t max_bytes) {
  std::string body;
  // A body that says it is too large is drained without a byte kept.
  bool too_large =
      req.has_header("Content-Length") &&
      std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr,
                    10) > max_bytes;
  const bool complete = read([&](const char* data, size_t length) {
    if (too_large) return true;  // drained, dropped
    if (body.size() + length > max_bytes) {
      too_large = true;
      body.clear();
      return true;
    }
    body.append(data, length);
    return true;
  });
  if (too_large) {
    return Status(Code::kTooLarge, "request body larger than " +
                                       std::to_string(max_bytes) + " bytes");
  }
  if (!complete) return Status(Code::kMalformed, "the request body ended early");
  return body;
}

Result<nlohmann::json> UploadAttachment(AgentService& service,
                                        const httplib::ContentReader& read) {
  DOCBUS_ASSIGN_OR_RETURN(std::unique_ptr<OutboxFiles::Writer> writer,
                          service.BeginAttachment());
  Status failure;
  const bool complete = read([&](const char* data, size_t length) {
    // After a refusal the rest is read and dropped: the client gets the
    // answer rather than a broken pipe.
    if (failure.ok()) failure = writer->Write(std::string_view(data, length));
    return true;
  });
  DOCBUS_RETURN_IF_ERROR(failure);
  if (!complete) {
    return Status(Code::kMalformed, "the request body ended early");
  }
  DOCBUS_ASSIGN_OR_RETURN(StoredAttachment stored, writer->Commit());
  CountUploaded(service, stored);
  return nlohmann::json{{"attachment_id", Hex(stored.sha256)},
                        {"size", stored.size}};
}

Result<DocumentRequest> ReadSubmission(AgentService& service,
                                       const httplib::Request& req,
                                       const httplib::ContentReader& read,
                                       const JsonLimits& limits,
                                       size_t max_json_bytes,
                                       int64_t now_unix_ms) {
  if (!req.is_multipart_form_data()) {
    DOCBUS_ASSIGN_OR_RETURN(std::string body,
                            ReadBody(req, read, max_json_bytes));
    return DocumentRequestFromJson(body, now_unix_ms, limits);
  }
  PartSink sink(service, limits.max_attachments + 1, max_json_bytes,
                limits.max_inline_bytes);
  const bool complete = read(
      [&](const httplib::MultipartFormData& part) {
        return sink.OnHeader(part);
      },
      [&](const char* data, size_t length) {
        return sink.OnData(data, length);
      });
  DOCBUS_RETURN_IF_ERROR(sink.failure());
  if (!complete || !sink.FinishPart()) {
    DOCBUS_RETURN_IF_ERROR(sink.failure());
    return Status(Code::kMalformed, "the multipart body ended early");
  }
  if (!sink.has_json()) {
    return Status(Code::kInvalidField,
                  "document: a multipart submission needs a part named "
                  "\"document\" with the JSON");
  }
  auto& files = sink.files();
  return DocumentRequestFromJson(
      sink.json(), now_unix_ms, limits,
      [&files](const std::string& name, AttachmentInput* a) -> Status {
        auto part = files.find(name);
        if (part == files.end() || name == kDocumentPart) {
          return Status(Code::kNotFound, "no part " + name);
        }
        a->data = part->second.data;
        a->uploaded_sha256 = part->second.uploaded_sha256;
        return Status::Ok();
      });
}

}  // namespace docbus::agent
