#include "agents/download_routes.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "agents/attachment_files.h"
#include "agents/byte_range.h"
#include "agents/http_request.h"
#include "bus/core/base64.h"
#include "bus/core/ids.h"

namespace docbus::agent {
namespace {

constexpr size_t kSliceBytes = size_t{256} << 10;
constexpr char kOctetStream[] = "application/octet-stream";

// The media type as a header value: a signed header names it, but a byte
// outside visible ASCII would break (or smuggle) headers.
std::string MediaTypeHeader(const std::string& media_type) {
  if (media_type.empty() ||
      !std::all_of(media_type.begin(), media_type.end(),
                   [](char c) { return c >= 0x20 && c < 0x7f; })) {
    return kOctetStream;
  }
  return media_type;
}

// RFC 6266: an ASCII fallback, and the exact UTF-8 name in filename*
// (RFC 8187 percent-encoding).
std::string ContentDisposition(const std::string& name) {
  std::string ascii, encoded;
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    const bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    ascii.push_back(plain ? ch : '_');
    if (std::isalnum(c) != 0 ||
        std::string_view("!#$&+-.^_`|~").find(ch) != std::string_view::npos) {
      encoded.push_back(ch);
    } else {
      constexpr char kHex[] = "0123456789ABCDEF";
      encoded += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  if (ascii.empty()) ascii = "attachment";
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

// If-None-Match: "*" or a list of entity tags, weak or strong.
bool MatchesEtag(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

Result<DownloadResponse> InboxAttachmentDownload(AgentService& service,
                                                 const httplib::Request& req) {
  DOCBUS_ASSIGN_OR_RETURN(std::string id, PathMessageId(req));
  DOCBUS_ASSIGN_OR_RETURN(IncomingDocument document, service.Incoming(id));
  const std::string index_text = req.matches[2];
  const size_t index =
      index_text.size() > 4 ? SIZE_MAX : std::stoul(index_text);
  if (index >= document.attachments.size() ||
      static_cast<int>(index) >= document.header.attachments_size()) {
    return Status(Code::kNotFound,
                  "document " + id + " has no attachment " + index_text);
  }
  const v1::AttachmentManifest& manifest =
      document.header.attachments(static_cast<int>(index));
  AttachmentInput& attachment = document.attachments[index];
  const std::filesystem::path file = index < document.attachment_files.size()
                                         ? document.attachment_files[index]
                                         : std::filesystem::path();
  std::shared_ptr<AttachmentFileStore::Reader> reader;
  uint64_t size = attachment.data.size();
  if (!file.empty()) {
    DOCBUS_ASSIGN_OR_RETURN(reader, AttachmentFileStore::OpenFile(file));
    size = reader->size();
  }
  const std::string etag = "\"" + Hex(manifest.sha256()) + "\"";
  auto common = [etag, digest = Base64Encode(manifest.sha256()),
                 disposition = ContentDisposition(attachment.name)](
                    httplib::Response& res) {
    res.set_header("ETag", etag);
    res.set_header("Repr-Digest", "sha-256=:" + digest + ":");
    res.set_header("Accept-Ranges", "bytes");
    res.set_header("Content-Disposition", disposition);
  };
  if (MatchesEtag(req.get_header_value("If-None-Match"), etag)) {
    return DownloadResponse{304, [common](httplib::Response& res) {
                              common(res);
                              res.status = 304;
                            }};
  }
  const ByteRangeRequest range =
      ParseByteRange(req.get_header_value("Range"), size);
  // The ranges are ours to apply: httplib would apply its own parse (which
  // does not bound a range by the size) on top.
  const_cast<httplib::Request&>(req).ranges.clear();
  if (range.kind == ByteRangeRequest::Kind::kUnsatisfiable) {
    return DownloadResponse{
        416, [common, size](httplib::Response& res) {
          common(res);
          res.status = 416;
          res.set_header("Content-Range", "bytes */" + std::to_string(size));
          res.set_content("range not satisfiable\n", "text/plain");
        }};
  }
  const bool partial = range.kind == ByteRangeRequest::Kind::kPartial;
  const uint64_t first = partial ? range.first : 0;
  const uint64_t length = partial ? range.length() : size;
  const int status = partial ? 206 : 200;
  const std::string type = MediaTypeHeader(manifest.media_type());
  auto head = [=](httplib::Response& res) {
    common(res);
    res.status = status;
    if (partial) {
      res.set_header("Content-Range", "bytes " + std::to_string(first) + "-" +
                                          std::to_string(first + length - 1) +
                                          "/" + std::to_string(size));
    }
  };
  if (reader == nullptr) {
    return DownloadResponse{
        status, [=, data = std::move(attachment.data)](httplib::Response& res) {
          head(res);
          res.set_content(data.substr(first, length), type);
        }};
  }
  DOCBUS_ASSIGN_OR_RETURN(std::unique_ptr<AttachmentFileStore::Reader> slice,
                          AttachmentFileStore::OpenFile(file, first));
  reader = std::move(slice);
  return DownloadResponse{
      status, [=](httplib::Response& res) {
        head(res);
        res.set_content_provider(
            static_cast<size_t>(length), type,
            [reader, length](size_t offset, size_t, httplib::DataSink& sink) {
              const size_t want = static_cast<size_t>(
                  std::min<uint64_t>(kSliceBytes, length - offset));
              Result<std::string> bytes = reader->Read(want);
              if (!bytes.ok() || bytes->empty()) return false;
              return sink.write(bytes->data(), bytes->size());
            });
      }};
}

}  // namespace docbus::agent
