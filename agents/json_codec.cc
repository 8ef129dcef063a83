#include "agents/json_codec.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "agents/drop_files.h"
#include "agents/json_reader.h"
#include "bus/core/base64.h"
#include "bus/core/ids.h"

namespace docbus::agent {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

Status CheckMediaType(const std::string& path, std::string_view type) {
  const size_t slash = type.find('/');
  if (type.size() > 255 || slash == 0 || slash == std::string_view::npos ||
      slash + 1 == type.size()) {
    return InvalidField(path, "must be a media type such as application/pdf");
  }
  for (unsigned char c : type) {
    if (c < 0x20 || c > 0x7e)
      return InvalidField(path, "must be printable ASCII");
  }
  return Status::Ok();
}

class DocumentParser {
 public:
  DocumentParser(const JsonLimits& limits, int64_t now_unix_ms,
                 AttachmentFiles files)
      : limits_(limits), now_(now_unix_ms), files_(std::move(files)) {}

  Result<DocumentRequest> Parse(std::string_view text) {
    DOCBUS_ASSIGN_OR_RETURN(json root, ParseJson(text, limits_.max_nesting));
    JsonObjectReader doc(root, "");
    DOCBUS_RETURN_IF_ERROR(doc.OnlyKeys(
        {"to", "subject", "content", "code", "promulgation", "document_type",
         "signer", "from", "staff_info", "due_date", "priority",
         "steering_type", "business", "response_for", "to_places",
         "document_id", "expires_in_s", "expires_unix_ms", "attachments"}));
    DocumentRequest request;
    v1::DocumentHeader& h = request.header;
    DOCBUS_RETURN_IF_ERROR(Recipients(doc, &h));
    DOCBUS_RETURN_IF_ERROR(doc.Text("subject", limits_.max_subject_bytes, true,
                                    false, h.mutable_subject()));
    DOCBUS_RETURN_IF_ERROR(doc.Text("content", limits_.max_content_bytes, false,
                                    true, h.mutable_content()));
    DOCBUS_RETURN_IF_ERROR(CodeField(doc, &h));
    DOCBUS_RETURN_IF_ERROR(Promulgation(doc, &h));
    DOCBUS_RETURN_IF_ERROR(DocType(doc, &h));
    DOCBUS_RETURN_IF_ERROR(Signer(doc, &h));
    DOCBUS_RETURN_IF_ERROR(From(doc, &h));
    DOCBUS_RETURN_IF_ERROR(Staff(doc, &h));
    // Objects the caller left out stay out of the signed header.
    if (h.signer_info().ByteSizeLong() == 0) h.clear_signer_info();
    if (h.from().ByteSizeLong() == 0) h.clear_from();
    if (h.staff_info().ByteSizeLong() == 0) h.clear_staff_info();
    DOCBUS_RETURN_IF_ERROR(Date(doc, "due_date", h.mutable_due_date()));
    int64_t n = 0;
    DOCBUS_RETURN_IF_ERROR(doc.Int("priority", 0, 4, false, &n));
    h.set_priority(static_cast<v1::Priority>(n));
    n = 0;
    DOCBUS_RETURN_IF_ERROR(doc.Int("steering_type", 0, 2, false, &n));
    h.set_steering_type(static_cast<int32_t>(n));
    DOCBUS_RETURN_IF_ERROR(Business(doc, &h));
    DOCBUS_RETURN_IF_ERROR(ResponseFor(doc, &h));
    DOCBUS_RETURN_IF_ERROR(ToPlaces(doc, &h));
    DOCBUS_RETURN_IF_ERROR(
        doc.Text("document_id", 256, false, false, h.mutable_document_id()));
    if (!h.document_id().empty()) {
      DOCBUS_RETURN_IF_ERROR(
          ValidateDocumentId(h.document_id()).Prefixed("document_id"));
    }
    DOCBUS_RETURN_IF_ERROR(Expiry(doc, &h));
    DOCBUS_RETURN_IF_ERROR(Attachments(doc, &request.attachments));
    DOCBUS_RETURN_IF_ERROR(doc.Finish());
    return request;
  }

 private:
  Status Recipients(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* to = doc.Find("to");
    if (to == nullptr) return InvalidField("to", "is required");
    DOCBUS_RETURN_IF_ERROR(CheckJsonArray(*to, "to", limits_.max_recipients));
    if (to->empty()) return InvalidField("to", "must name at least one agency");
    std::set<std::string> seen;
    for (size_t i = 0; i < to->size(); ++i) {
      const json& id = (*to)[i];
      if (!id.is_string())
        return InvalidField(JsonIndex("to", i), "must be a string");
      const std::string& s = id.get_ref<const std::string&>();
      DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(s).Prefixed(JsonIndex("to", i)));
      if (!seen.insert(s).second)
        return InvalidField(JsonIndex("to", i), "duplicate recipient");
      h->add_to()->set_organ_id(s);
    }
    return Status::Ok();
  }

  Status CodeField(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* v = doc.Find("code");
    if (v == nullptr) return InvalidField("code", "is required");
    JsonObjectReader code(*v, "code");
    DOCBUS_RETURN_IF_ERROR(code.Start());
    std::string number, notation;
    DOCBUS_RETURN_IF_ERROR(code.Text("number", 16, true, false, &number));
    if (!std::all_of(number.begin(), number.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      return InvalidField("code.number", "must be digits (số)");
    }
    DOCBUS_RETURN_IF_ERROR(code.Text("notation", 100, true, false, &notation));
    if (notation.find(',') != std::string::npos) {
      return InvalidField("code.notation", "must not contain a comma");
    }
    DOCBUS_RETURN_IF_ERROR(code.Finish());
    h->mutable_code()->set_code_number(number);
    h->mutable_code()->set_code_notation(notation);
    return Status::Ok();
  }

  Status Date(JsonObjectReader& obj, std::string_view key, std::string* out) {
    DOCBUS_RETURN_IF_ERROR(obj.Text(key, 10, false, false, out));
    if (out->empty()) return Status::Ok();
    return ValidateEdxmlDate(*out).Prefixed(JsonPath(obj.path(), key));
  }

  Status Promulgation(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* v = doc.Find("promulgation");
    if (v == nullptr) return Status::Ok();
    JsonObjectReader p(*v, "promulgation");
    DOCBUS_RETURN_IF_ERROR(p.Start());
    auto* info = h->mutable_promulgation_info();
    DOCBUS_RETURN_IF_ERROR(p.Text("place", limits_.max_text_bytes, false, false,
                                  info->mutable_place()));
    DOCBUS_RETURN_IF_ERROR(Date(p, "date", info->mutable_promulgation_date()));
    return p.Finish();
  }

  Status DocType(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* v = doc.Find("document_type");
    if (v == nullptr) return Status::Ok();
    JsonObjectReader t(*v, "document_type");
    DOCBUS_RETURN_IF_ERROR(t.Start());
    auto* type = h->mutable_document_type();
    int64_t n = 0;
    DOCBUS_RETURN_IF_ERROR(t.Int("type", 0, 1000, false, &n));
    type->set_type(static_cast<int32_t>(n));
    n = 0;
    DOCBUS_RETURN_IF_ERROR(t.Int("detail", 0, 1000, false, &n));
    type->set_type_detail(static_cast<int32_t>(n));
    DOCBUS_RETURN_IF_ERROR(t.Text("name", limits_.max_text_bytes, false, false,
                                  type->mutable_type_name()));
    return t.Finish();
  }

  struct TextField {
    std::string_view key;
    std::string* out;
  };

  // An optional object made only of short text fields.
  Status TextObject(JsonObjectReader& doc, std::string_view key,
                    std::initializer_list<TextField> fields) {
    const json* v = doc.Find(key);
    if (v == nullptr) return Status::Ok();
    JsonObjectReader r(*v, std::string(key));
    DOCBUS_RETURN_IF_ERROR(r.Start());
    if (key == "from" && r.Find("organ_id") != nullptr) {
      return InvalidField("from.organ_id",
                          "is set by the agent to its own agency");
    }
    for (const TextField& f : fields) {
      DOCBUS_RETURN_IF_ERROR(
          r.Text(f.key, limits_.max_text_bytes, false, false, f.out));
    }
    return r.Finish();
  }

  Status Signer(JsonObjectReader& doc, v1::DocumentHeader* h) {
    auto* s = h->mutable_signer_info();
    return TextObject(doc, "signer",
                      {{"competence", s->mutable_competence()},
                       {"position", s->mutable_position()},
                       {"full_name", s->mutable_full_name()}});
  }

  // The sender's descriptive fields; its organ id is the agent's own.
  Status From(JsonObjectReader& doc, v1::DocumentHeader* h) {
    v1::Organ* o = h->mutable_from();
    return TextObject(
        doc, "from",
        {{"organ_name", o->mutable_organ_name()},
         {"organization_in_charge", o->mutable_organization_in_charge()},
         {"organ_address", o->mutable_organ_address()},
         {"email", o->mutable_email()},
         {"telephone", o->mutable_telephone()},
         {"fax", o->mutable_fax()},
         {"website", o->mutable_website()}});
  }

  Status Staff(JsonObjectReader& doc, v1::DocumentHeader* h) {
    auto* s = h->mutable_staff_info();
    return TextObject(doc, "staff_info",
                      {{"department", s->mutable_department()},
                       {"staff", s->mutable_staff()},
                       {"email", s->mutable_email()},
                       {"mobile", s->mutable_mobile()}});
  }

  Status Business(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* v = doc.Find("business");
    if (v == nullptr) return Status::Ok();
    JsonObjectReader b(*v, "business");
    DOCBUS_RETURN_IF_ERROR(b.Start());
    int64_t type = 0;
    DOCBUS_RETURN_IF_ERROR(b.Int("type", 0, 3, false, &type));
    h->set_business_type(static_cast<v1::BusinessType>(type));
    std::string* target = h->mutable_business_target_document_id();
    DOCBUS_RETURN_IF_ERROR(
        b.Text("target_document_id", 256, false, false, target));
    if (!target->empty()) {
      DOCBUS_RETURN_IF_ERROR(
          ValidateDocumentId(*target).Prefixed("business.target_document_id"));
    } else if (type != v1::BUSINESS_NEW) {
      return InvalidField(
          "business.target_document_id",
          "is required to revoke, update or replace a document");
    }
    DOCBUS_RETURN_IF_ERROR(b.Text("reason", limits_.max_description_bytes,
                                  false, true, h->mutable_business_reason()));
    return b.Finish();
  }

  Status ResponseFor(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* v = doc.Find("response_for");
    if (v == nullptr) return Status::Ok();
    DOCBUS_RETURN_IF_ERROR(
        CheckJsonArray(*v, "response_for", limits_.max_list_items));
    for (size_t i = 0; i < v->size(); ++i) {
      JsonObjectReader r((*v)[i], JsonIndex("response_for", i));
      DOCBUS_RETURN_IF_ERROR(r.Start());
      v1::ResponseFor* out = h->add_response_for();
      DOCBUS_RETURN_IF_ERROR(
          r.Text("organ_id", 13, false, false, out->mutable_organ_id()));
      if (!out->organ_id().empty()) {
        DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(out->organ_id())
                                   .Prefixed(JsonPath(r.path(), "organ_id")));
      }
      DOCBUS_RETURN_IF_ERROR(
          r.Text("code", 120, false, false, out->mutable_code()));
      DOCBUS_RETURN_IF_ERROR(
          Date(r, "promulgation_date", out->mutable_promulgation_date()));
      DOCBUS_RETURN_IF_ERROR(
          r.Text("document_id", 256, false, false, out->mutable_document_id()));
      if (!out->document_id().empty()) {
        DOCBUS_RETURN_IF_ERROR(
            ValidateDocumentId(out->document_id())
                .Prefixed(JsonPath(r.path(), "document_id")));
      }
      DOCBUS_RETURN_IF_ERROR(r.Finish());
    }
    return Status::Ok();
  }

  Status ToPlaces(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* v = doc.Find("to_places");
    if (v == nullptr) return Status::Ok();
    DOCBUS_RETURN_IF_ERROR(
        CheckJsonArray(*v, "to_places", limits_.max_list_items));
    for (size_t i = 0; i < v->size(); ++i) {
      const json& place = (*v)[i];
      const std::string path = JsonIndex("to_places", i);
      if (!place.is_string()) return InvalidField(path, "must be a string");
      const std::string& s = place.get_ref<const std::string&>();
      DOCBUS_RETURN_IF_ERROR(
          CheckJsonText(path, s, limits_.max_text_bytes, false));
      h->add_to_places(s);
    }
    return Status::Ok();
  }

  Status Expiry(JsonObjectReader& doc, v1::DocumentHeader* h) {
    int64_t in_s = 0, at_ms = 0;
    DOCBUS_RETURN_IF_ERROR(
        doc.Int("expires_in_s", 1, limits_.max_expires_in_s, false, &in_s));
    const int64_t latest = now_ + limits_.max_expires_in_s * 1000;
    DOCBUS_RETURN_IF_ERROR(
        doc.Int("expires_unix_ms", 0, latest, false, &at_ms));
    if (in_s != 0 && at_ms != 0) {
      return InvalidField("expires_unix_ms",
                          "give either expires_in_s or expires_unix_ms");
    }
    if (at_ms != 0 && at_ms <= now_)
      return InvalidField("expires_unix_ms", "is in the past");
    h->set_expires_unix_ms(in_s != 0 ? now_ + in_s * 1000 : at_ms);
    return Status::Ok();
  }

  Status Attachments(JsonObjectReader& doc, std::vector<AttachmentInput>* out) {
    const json* v = doc.Find("attachments");
    if (v == nullptr) return Status::Ok();
    if (v->is_array() && v->size() > limits_.max_attachments) {
      return Status(
          Code::kTooLarge,
          "attachments: more than " + std::to_string(limits_.max_attachments));
    }
    DOCBUS_RETURN_IF_ERROR(
        CheckJsonArray(*v, "attachments", limits_.max_attachments));
    std::set<std::string> names;
    size_t total = 0;
    for (size_t i = 0; i < v->size(); ++i) {
      AttachmentInput a;
      DOCBUS_RETURN_IF_ERROR(
          Attachment((*v)[i], JsonIndex("attachments", i), &a));
      if (!names.insert(a.name).second) {
        return InvalidField(JsonIndex("attachments", i) + ".name",
                            "duplicate attachment name");
      }
      total += a.data.size();
      if (total > limits_.max_total_attachment_bytes) {
        return Status(Code::kTooLarge,
                      JsonIndex("attachments", i) + ": attachments exceed " +
                          std::to_string(limits_.max_total_attachment_bytes) +
                          " bytes in total");
      }
      out->push_back(std::move(a));
    }
    return Status::Ok();
  }

  Status Attachment(const json& v, const std::string& path,
                    AttachmentInput* a) {
    JsonObjectReader r(v, path);
    DOCBUS_RETURN_IF_ERROR(r.Start());
    std::string file, data64;
    if (files_) {
      DOCBUS_RETURN_IF_ERROR(r.Text("file", 255, false, false, &file));
      if (!file.empty() && !IsPlainFileName(file)) {
        return InvalidField(JsonPath(path, "file"),
                            "must name a file inside the submission folder "
                            "(or a part of the multipart request)");
      }
    } else if (r.Find("file") != nullptr) {
      return InvalidField(JsonPath(path, "file"),
                          "is only for the drop folder or a multipart "
                          "submission; send the bytes as data_base64");
    }
    const json* data = r.Find("data_base64");
    if (data != nullptr && !data->is_string()) {
      return InvalidField(JsonPath(path, "data_base64"), "must be a string");
    }
    if (data != nullptr && !file.empty()) {
      return InvalidField(path, "give either file or data_base64, not both");
    }
    if (data == nullptr && file.empty()) {
      return InvalidField(JsonPath(path, files_ ? "file" : "data_base64"),
                          "is required");
    }
    DOCBUS_RETURN_IF_ERROR(r.Text("name", 255, file.empty(), false, &a->name));
    if (a->name.empty()) a->name = file;
    if (!IsPlainFileName(a->name)) {
      return InvalidField(
          JsonPath(path, "name"),
          "must be a plain file name (no '/', '\\', control characters "
          "or leading '.')");
    }
    DOCBUS_RETURN_IF_ERROR(
        r.Text("media_type", 255, false, false, &a->media_type));
    if (a->media_type.empty()) a->media_type = "application/octet-stream";
    DOCBUS_RETURN_IF_ERROR(
        CheckMediaType(JsonPath(path, "media_type"), a->media_type));
    DOCBUS_RETURN_IF_ERROR(r.Finish());
    if (data != nullptr) {
      const std::string& text = data->get_ref<const std::string&>();
      if (text.size() / 4 * 3 > limits_.max_attachment_bytes + 2) {
        return TooLarge(path);
      }
      std::optional<std::string> decoded = Base64Decode(text);
      if (!decoded) {
        return InvalidField(JsonPath(path, "data_base64"),
                            "not valid base64 (standard alphabet, padded)");
      }
      a->data = std::move(*decoded);
    } else {
      DOCBUS_RETURN_IF_ERROR(
          ReadAttachmentFile(JsonPath(path, "file"), file, &a->data));
    }
    if (a->data.size() > limits_.max_attachment_bytes) return TooLarge(path);
    return Status::Ok();
  }

  Status TooLarge(const std::string& path) const {
    return Status(Code::kTooLarge,
                  path + ": larger than " +
                      std::to_string(limits_.max_attachment_bytes) + " bytes");
  }

  Status ReadAttachmentFile(const std::string& path, const std::string& name,
                            std::string* out) const {
    Result<std::string> data = files_(name, limits_.max_attachment_bytes);
    if (data.ok()) {
      *out = std::move(data).value();
      return Status::Ok();
    }
    const Status& why = data.status();
    if (why.code() == Code::kNotFound) {
      return InvalidField(path, "no such file '" + name + "'");
    }
    if (why.code() == Code::kTooLarge) return TooLarge(path);
    return why.Prefixed(path);
  }

  const JsonLimits& limits_;
  const int64_t now_;
  const AttachmentFiles files_;  // empty: attachments inline only
};

}  // namespace

Result<DocumentRequest> DocumentRequestFromJson(std::string_view text,
                                                int64_t now_unix_ms,
                                                const JsonLimits& limits,
                                                AttachmentFiles files) {
  return DocumentParser(limits, now_unix_ms, std::move(files)).Parse(text);
}

Result<DocumentRequest> DropDocumentFromJson(std::string_view text,
                                             const fs::path& submission_folder,
                                             int64_t now_unix_ms,
                                             const JsonLimits& limits) {
  return DocumentParser(limits, now_unix_ms,
                        [&submission_folder](const std::string& name,
                                             size_t max_bytes) {
                          return ReadRegularFile(submission_folder / name,
                                                 max_bytes);
                        })
      .Parse(text);
}

Result<StatusReport> StatusReportFromJson(std::string_view text,
                                          const JsonLimits& limits) {
  DOCBUS_ASSIGN_OR_RETURN(json root, ParseJson(text, limits.max_nesting));
  JsonObjectReader r(root, "");
  DOCBUS_RETURN_IF_ERROR(r.Start());
  StatusReport report;
  int64_t code = 0;
  DOCBUS_RETURN_IF_ERROR(r.Int("code", 1, 16, true, &code));
  if (!v1::StatusCode_IsValid(static_cast<int>(code))) {
    return InvalidField("code",
                        "must be an edXML status code: 1-6, 13, 15 or 16");
  }
  report.code = static_cast<v1::StatusCode>(code);
  DOCBUS_RETURN_IF_ERROR(r.Text("description", limits.max_description_bytes,
                                false, true, &report.description));
  if (report.code == v1::STATUS_REFUSED && report.description.empty()) {
    return InvalidField("description", "is required when refusing (code 2)");
  }
  DOCBUS_RETURN_IF_ERROR(r.Text("to", 13, false, false, &report.to));
  if (!report.to.empty()) {
    Status valid = ValidateAgencyId(report.to);
    if (!valid.ok()) return InvalidField("to", valid.message());
  }
  DOCBUS_RETURN_IF_ERROR(r.Finish());
  return report;
}

bool IsPlainFileName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '.') return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
  }
  return true;
}

}  // namespace docbus::agent
