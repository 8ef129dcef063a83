// The agency commands of the docbus CLI. Answers are read with accessors
// that never throw on an unexpected shape; anything thrown anyway ends as an
// error message and exit code 1.
#include "tools/agent_commands.h"

#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "bus/core/base64.h"
#include "bus/core/files.h"
#include "bus/core/status.h"
#include "tools/agent_client.h"

namespace docbus {
namespace agent_cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The largest edXML envelope an agent takes by default (its attachments
// inline as base64: limits.max_inline_bytes, plus 1 MiB); the agent then
// applies its own limit.
constexpr uint64_t kMaxEnvelopeFile = (uint64_t{64} << 20) / 3 * 4 + (1 << 20);

// The API's byte strings come from the agent, which encodes them canonically.
Result<std::string> FromBase64(const std::string& text) {
  std::optional<std::string> bytes = Base64Decode(text);
  if (!bytes) return Status(Code::kMalformed, "bad base64 from the agent");
  return std::move(*bytes);
}

std::string MediaTypeFor(const fs::path& file) {
  static const std::array<std::pair<const char*, const char*>, 12> kTypes{{
      {".pdf", "application/pdf"},
      {".doc", "application/msword"},
      {".docx",
       "application/"
       "vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {".xls", "application/vnd.ms-excel"},
      {".xlsx",
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {".odt", "application/vnd.oasis.opendocument.text"},
      {".txt", "text/plain"},
      {".xml", "application/xml"},
      {".zip", "application/zip"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
  }};
  std::string ext = file.extension().string();
  for (char& c : ext)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [e, type] : kTypes) {
    if (ext == e) return type;
  }
  return "application/octet-stream";
}

std::string FormatTime(int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
  return buf;
}

// Field readers that never throw on an unexpected shape.
std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>()
                                          : std::string();
}

int64_t Int(const json& j, const char* key, int64_t fallback = 0) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>()
                                                  : fallback;
}

const json& Array(const json& j, const char* key) {
  static const json kEmpty = json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

// A file name safe to create inside a folder.
std::string SafeName(const std::string& name, size_t index) {
  bool ok = !name.empty() && name.size() <= 255 && name.front() != '.';
  for (unsigned char c : name)
    ok = ok && c >= 0x20 && c != '/' && c != '\\' && c != 0x7f;
  return ok ? name : "attachment-" + std::to_string(index + 1);
}

int Fail(std::ostream& err, const Status& status) {
  err << "docbus: " << status.message() << "\n";
  return 1;
}

// Runs a command body, turning anything thrown into exit code 1.
template <typename F>
int Guard(std::ostream& err, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    err << "docbus: " << e.what() << "\n";
    return 1;
  }
}

Status SaveIncoming(const AgentClient& client, const json& doc,
                    const fs::path& dir) {
  const std::string id = Str(doc, "message_id");
  if (id.empty() || SafeName(id, 0) != id) {
    return Status(Code::kMalformed,
                  "the agent sent a document without a usable message id");
  }
  const fs::path target = dir / id;
  std::error_code ec;
  fs::create_directories(target / "attachments", ec);
  if (ec)
    return Status(Code::kIoError,
                  "cannot create " + target.string() + ": " + ec.message());
  DOCBUS_ASSIGN_OR_RETURN(std::string header,
                          FromBase64(Str(doc, "header_base64")));
  DOCBUS_ASSIGN_OR_RETURN(std::string signature,
                          FromBase64(Str(doc, "signature_base64")));
  DOCBUS_RETURN_IF_ERROR(WriteFileAtomically(target / "header.bin", header));
  DOCBUS_RETURN_IF_ERROR(
      WriteFileAtomically(target / "signature.der", signature));
  auto it = doc.find("header");
  const std::string header_json = it != doc.end() ? it->dump(2) + "\n" : "{}\n";
  DOCBUS_RETURN_IF_ERROR(
      WriteFileAtomically(target / "header.json", header_json));
  std::set<std::string> used;
  const json& attachments = Array(doc, "attachments");
  for (size_t i = 0; i < attachments.size(); ++i) {
    std::string name = SafeName(Str(attachments[i], "name"), i);
    if (!used.insert(name).second) name = "attachment-" + std::to_string(i + 1);
    // A large one is not inlined: streamed to its file from its href.
    if (const std::string href = Str(attachments[i], "href"); !href.empty()) {
      DOCBUS_RETURN_IF_ERROR(client.Download(
          href, target / "attachments" / name, Str(attachments[i], "sha256")));
      continue;
    }
    DOCBUS_ASSIGN_OR_RETURN(std::string data,
                            FromBase64(Str(attachments[i], "data_base64")));
    DOCBUS_RETURN_IF_ERROR(
        WriteFileAtomically(target / "attachments" / name, data));
  }
  return Status::Ok();
}

void PrintIncoming(const json& doc, std::ostream& out) {
  const json empty = json::object();
  auto it = doc.find("header");
  const json& h = it != doc.end() && it->is_object() ? *it : empty;
  out << "message_id   " << Str(doc, "message_id") << "\n"
      << "sender       " << Str(doc, "sender") << "\n"
      << "received     " << FormatTime(Int(doc, "received_unix_ms")) << "\n"
      << "document_id  " << Str(doc, "document_id") << "\n"
      << "priority     " << Int(doc, "priority") << "\n"
      << "subject      " << Str(doc, "subject") << "\n";
  auto code = h.find("code");
  if (code != h.end() && code->is_object()) {
    out << "code         " << Str(*code, "number") << "/"
        << Str(*code, "notation") << "\n";
  }
  if (!Str(h, "content").empty())
    out << "content      " << Str(h, "content") << "\n";
  for (const json& a : Array(doc, "attachments")) {
    out << "attachment   " << Str(a, "name") << " (" << Str(a, "media_type")
        << ", " << Int(a, "size") << " bytes)\n";
  }
}

// The envelope (or status packet) as it is; the agent maps it.
int SendEdxml(const fs::path& agent_dir, const SendOptions& o,
              std::ostream& out, std::ostream& err) {
  if (!o.to.empty() || !o.subject.empty() || !o.code.empty() ||
      !o.attach.empty()) {
    err << "docbus: --edxml takes its recipients, subject, code and "
           "attachments from the envelope\n";
    return 2;
  }
  auto client = AgentClient::Find(agent_dir);
  if (!client.ok()) return Fail(err, client.status());
  // The agent refuses what is over its own limit; this only bounds memory.
  auto xml = ReadFileLimited(o.edxml, kMaxEnvelopeFile);
  if (!xml.ok()) return Fail(err, xml.status());
  auto answer = client->PostBytes("/v1/edxml", std::move(*xml),
                                  "application/xml; charset=utf-8");
  if (!answer.ok()) return Fail(err, answer.status());
  const bool status = Str(*answer, "kind") == "status";
  out << Str(*answer, status ? "status_id" : "message_id") << "\n"
      << std::flush;
  for (const json& field : Array(*answer, "unmapped")) {
    if (field.is_string()) err << "unmapped " << field.get<std::string>() << "\n";
  }
  return 0;
}

}  // namespace

int Send(const fs::path& agent_dir, const SendOptions& o, std::ostream& out,
         std::ostream& err) {
  return Guard(err, [&] {
    if (!o.edxml.empty()) return SendEdxml(agent_dir, o, out, err);
    if (o.to.empty() || o.subject.empty()) {
      err << "docbus: send needs --to, --subject and --code (or --edxml)\n";
      return 2;
    }
    const size_t slash = o.code.find('/');
    if (slash == 0 || slash == std::string::npos ||
        slash + 1 == o.code.size()) {
      err << "docbus: --code must be <số>/<ký hiệu>, e.g. 12/UBND-VP\n";
      return 2;
    }
    auto client = AgentClient::Find(agent_dir);
    if (!client.ok()) return Fail(err, client.status());
    json doc = {{"to", o.to},
                {"subject", o.subject},
                {"code",
                 {{"number", o.code.substr(0, slash)},
                  {"notation", o.code.substr(slash + 1)}}},
                {"priority", o.priority}};
    if (!o.content.empty()) doc["content"] = o.content;
    // Each file is uploaded first, streamed from disk (never base64, never
    // whole in memory); the document names it by its attachment_id.
    json attachments = json::array();
    for (const std::string& file : o.attach) {
      auto uploaded = client->UploadFile(file);
      if (!uploaded.ok()) return Fail(err, uploaded.status());
      attachments.push_back({{"name", fs::path(file).filename().string()},
                             {"media_type", MediaTypeFor(file)},
                             {"attachment_id", Str(*uploaded, "attachment_id")}});
    }
    if (!attachments.empty()) doc["attachments"] = std::move(attachments);
    auto answer = client->Post("/v1/documents", doc);
    if (!answer.ok()) return Fail(err, answer.status());
    const std::string id = Str(*answer, "message_id");
    out << id << "\n" << std::flush;
    if (o.wait_s <= 0) return 0;

    const auto deadline =
        std::chrono::steady_clock::now() +
        std::chrono::milliseconds(static_cast<int64_t>(o.wait_s * 1000));
    bool accepted = false;
    std::set<std::string> reported;
    while (true) {
      auto view = client->Get("/v1/documents/" + id);
      if (!view.ok()) return Fail(err, view.status());
      const std::string state = Str(*view, "state");
      if (state == "rejected") {
        err << "docbus: rejected: " << Str(*view, "reason") << ": "
            << Str(*view, "detail") << "\n";
        return 1;
      }
      if (state == "accepted" && !accepted) {
        accepted = true;
        out << "accepted audit_index=" << Int(*view, "audit_index", -1) << "\n";
      }
      for (const json& r : Array(*view, "receipts")) {
        const std::string who = Str(r, "recipient");
        if (reported.insert(who).second) {
          out << "receipt " << who << " "
              << FormatTime(Int(r, "received_unix_ms")) << "\n";
        }
      }
      bool dead = false;
      for (const json& d : Array(*view, "dead_letters")) {
        const std::string who = d.is_string() ? d.get<std::string>() : "";
        dead = true;
        if (reported.insert(who).second) out << "dead letter " << who << "\n";
      }
      out << std::flush;
      if (accepted && reported.size() >= Array(*view, "recipients").size()) {
        return dead ? 1 : 0;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        err << "docbus: timed out waiting for "
            << (accepted ? "receipts" : "acceptance");
        if (view->contains("pending_reason")) {
          err << ": " << Str(*view, "pending_reason");
        }
        err << "\n";
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
}

int Document(const fs::path& agent_dir, const std::string& message_id,
             bool as_json, std::ostream& out, std::ostream& err) {
  return Guard(err, [&] {
    auto client = AgentClient::Find(agent_dir);
    if (!client.ok()) return Fail(err, client.status());
    auto view = client->Get("/v1/documents/" + message_id);
    if (!view.ok()) return Fail(err, view.status());
    if (as_json) {
      out << view->dump(2) << "\n";
      return 0;
    }
    const json& v = *view;
    out << "message_id   " << Str(v, "message_id") << "\n"
        << "state        " << Str(v, "state");
    // Why it is still pending, when the agent knows (API.md §4).
    if (v.contains("pending_reason")) out << ": " << Str(v, "pending_reason");
    out << "\n";
    if (v.contains("reason")) {
      out << "reason       " << Str(v, "reason") << ": " << Str(v, "detail")
          << "\n";
    }
    if (v.contains("audit_index"))
      out << "audit_index  " << Int(v, "audit_index") << "\n";
    for (const json& r : Array(v, "recipients")) {
      out << "recipient    " << (r.is_string() ? r.get<std::string>() : "")
          << "\n";
    }
    for (const json& r : Array(v, "receipts")) {
      out << "receipt      " << Str(r, "recipient") << " "
          << FormatTime(Int(r, "received_unix_ms")) << "\n";
    }
    for (const json& s : Array(v, "statuses")) {
      char code[8];
      std::snprintf(code, sizeof code, "%02d",
                    static_cast<int>(Int(s, "code")));
      out << "status       " << code << " from " << Str(s, "from") << " "
          << FormatTime(Int(s, "created_unix_ms")) << " "
          << Str(s, "description") << "\n";
    }
    for (const json& d : Array(v, "dead_letters")) {
      out << "dead letter  " << (d.is_string() ? d.get<std::string>() : "")
          << "\n";
    }
    return 0;
  });
}

namespace {

// A query parameter value, percent-encoded (RFC 3986 unreserved kept).
std::string QueryValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string InboxListPath(const InboxOptions& o) {
  std::string path = "/v1/inbox?after=" + std::to_string(o.after) +
                     "&limit=" + std::to_string(o.limit);
  if (!o.sender.empty()) path += "&sender=" + QueryValue(o.sender);
  if (o.priority >= 0) path += "&priority=" + std::to_string(o.priority);
  if (!o.since.empty()) path += "&since=" + QueryValue(o.since);
  if (!o.until.empty()) path += "&until=" + QueryValue(o.until);
  if (!o.state.empty()) path += "&state=" + QueryValue(o.state);
  return path;
}

}  // namespace

int Inbox(const fs::path& agent_dir, const InboxOptions& o, std::ostream& out,
          std::ostream& err) {
  return Guard(err, [&] {
    auto client = AgentClient::Find(agent_dir);
    if (!client.ok()) return Fail(err, client.status());
    std::vector<std::string> to_save;
    if (!o.show.empty()) {
      auto doc = client->Get("/v1/inbox/" + o.show);
      if (!doc.ok()) return Fail(err, doc.status());
      if (o.json) {
        out << doc->dump(2) << "\n";
      } else {
        PrintIncoming(*doc, out);
      }
      if (!o.save_dir.empty()) {
        Status saved = SaveIncoming(*client, *doc, o.save_dir);
        if (!saved.ok()) return Fail(err, saved);
        out << "saved " << (fs::path(o.save_dir) / o.show).string() << "\n";
      }
      return 0;
    }
    auto list = client->Get(InboxListPath(o));
    if (!list.ok()) return Fail(err, list.status());
    if (o.json) out << list->dump(2) << "\n";
    for (const json& s : Array(*list, "documents")) {
      if (!o.json) {
        out << Int(s, "seq") << "  " << FormatTime(Int(s, "received_unix_ms"))
            << "  " << Str(s, "sender") << "  p" << Int(s, "priority") << "  "
            << Str(s, "message_id") << "  " << Str(s, "subject") << "\n";
      }
      to_save.push_back(Str(s, "message_id"));
    }
    if (o.save_dir.empty()) return 0;
    for (const std::string& id : to_save) {
      auto doc = client->Get("/v1/inbox/" + id);
      if (!doc.ok()) return Fail(err, doc.status());
      Status saved = SaveIncoming(*client, *doc, o.save_dir);
      if (!saved.ok()) return Fail(err, saved);
    }
    if (!o.json)
      out << "saved " << to_save.size() << " documents to " << o.save_dir
          << "\n";
    return 0;
  });
}

int ReportStatus(const fs::path& agent_dir, const std::string& message_id,
                 const std::string& code, const std::string& description,
                 const std::string& to, std::ostream& out, std::ostream& err) {
  return Guard(err, [&] {
    int value = 0;
    auto [end, ec] =
        std::from_chars(code.data(), code.data() + code.size(), value);
    if (ec != std::errc() || end != code.data() + code.size() || code.empty()) {
      err << "docbus: --code must be an edXML status code such as 03\n";
      return 2;
    }
    auto client = AgentClient::Find(agent_dir);
    if (!client.ok()) return Fail(err, client.status());
    json body = {{"code", value}};
    if (!description.empty()) body["description"] = description;
    if (!to.empty()) body["to"] = to;
    auto answer = client->Post("/v1/documents/" + message_id + "/status", body);
    if (!answer.ok()) return Fail(err, answer.status());
    out << Str(*answer, "status_id") << "\n";
    return 0;
  });
}

}  // namespace agent_cli
}  // namespace docbus
