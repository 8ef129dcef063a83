#include "agents/json_codec.h"

#include <climits>
#include <cstdint>
#include <optional>
#include <utility>

#include "agents/drop_files.h"
#include "agents/json_reader.h"
#include "bus/core/base64.h"
#include "bus/core/ids.h"
#include "bus/document/header_rules.h"
#include "bus/document/status_rules.h"
#include "bus/document/text_rules.h"

namespace docbus::agent {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// JSON reads only a shape here (types, known keys); what the values may be is
// the header validator's (bus/document/header_rules.h), the same the builder
// and the broker apply. These bounds only keep numbers inside int32.
constexpr int64_t kInt32Min = INT32_MIN;
constexpr int64_t kInt32Max = INT32_MAX;
constexpr size_t kAnyLength = SIZE_MAX;

// The validator names protobuf fields; a JSON caller reads the names of
// API.md. Only the fields whose JSON name differs are listed.
std::string JsonFieldOf(std::string_view field) {
  static constexpr std::pair<std::string_view, std::string_view> kRenames[] = {
      {"code.code_number", "code.number"},
      {"code.code_notation", "code.notation"},
      {"promulgation_info.promulgation_date", "promulgation.date"},
      {"promulgation_info.", "promulgation."},
      {"document_type.type_detail", "document_type.detail"},
      {"document_type.type_name", "document_type.name"},
      {"signer_info.", "signer."},
      {"business_type", "business.type"},
      {"business_target_document_id", "business.target_document_id"},
      {"business_reason", "business.reason"},
  };
  for (const auto& [proto, json_name] : kRenames) {
    if (field.substr(0, proto.size()) == proto) {
      return std::string(json_name) + std::string(field.substr(proto.size()));
    }
  }
  // "to[3].organ_id" is "to[3]": recipients are plain strings in JSON.
  constexpr std::string_view kOrganId = ".organ_id";
  if (field.substr(0, 3) == "to[" && field.size() > kOrganId.size() &&
      field.substr(field.size() - kOrganId.size()) == kOrganId) {
    return std::string(field.substr(0, field.size() - kOrganId.size()));
  }
  return std::string(field);
}

// The validator's "<field>: <why>" with the field in its JSON name.
Status InJsonTerms(const Status& status) {
  if (status.ok()) return status;
  const std::string& message = status.message();
  const size_t colon = message.find(": ");
  if (colon == std::string::npos) return status;
  return Status(status.code(),
                JsonFieldOf(std::string_view(message).substr(0, colon)) +
                    message.substr(colon));
}

document::HeaderLimits HeaderLimitsOf(const JsonLimits& l) {
  document::HeaderLimits out;
  out.max_recipients = l.max_recipients;
  out.max_subject_bytes = l.max_subject_bytes;
  out.max_content_bytes = l.max_content_bytes;
  out.max_reason_bytes = l.max_description_bytes;
  out.max_text_bytes = l.max_text_bytes;
  out.max_list_items = l.max_list_items;
  out.max_attachments = l.max_attachments;
  return out;
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
    DOCBUS_RETURN_IF_ERROR(Str(doc, "subject", h.mutable_subject()));
    DOCBUS_RETURN_IF_ERROR(Str(doc, "content", h.mutable_content()));
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
    DOCBUS_RETURN_IF_ERROR(Str(doc, "due_date", h.mutable_due_date()));
    int64_t n = 0;
    DOCBUS_RETURN_IF_ERROR(
        doc.Int("priority", kInt32Min, kInt32Max, false, &n));
    h.set_priority(static_cast<v1::Priority>(n));
    n = 0;
    DOCBUS_RETURN_IF_ERROR(
        doc.Int("steering_type", kInt32Min, kInt32Max, false, &n));
    h.set_steering_type(static_cast<int32_t>(n));
    DOCBUS_RETURN_IF_ERROR(Business(doc, &h));
    DOCBUS_RETURN_IF_ERROR(ResponseFor(doc, &h));
    DOCBUS_RETURN_IF_ERROR(ToPlaces(doc, &h));
    DOCBUS_RETURN_IF_ERROR(Str(doc, "document_id", h.mutable_document_id()));
    DOCBUS_RETURN_IF_ERROR(Expiry(doc, &h));
    DOCBUS_RETURN_IF_ERROR(InJsonTerms(
        document::CheckDocumentRequest(h, HeaderLimitsOf(limits_))));
    DOCBUS_RETURN_IF_ERROR(Attachments(doc, &request.attachments));
    DOCBUS_RETURN_IF_ERROR(doc.Finish());
    return request;
  }

 private:
  // A string member, any length and content (the validator's to judge).
  static Status Str(JsonObjectReader& obj, std::string_view key,
                    std::string* out) {
    return obj.Text(key, kAnyLength, false, true, out);
  }

  Status Recipients(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* to = doc.Find("to");
    if (to == nullptr) return Status::Ok();  // the validator: "is required"
    DOCBUS_RETURN_IF_ERROR(CheckJsonArray(*to, "to", kAnyLength));
    for (size_t i = 0; i < to->size(); ++i) {
      const json& id = (*to)[i];
      if (!id.is_string())
        return InvalidField(JsonIndex("to", i), "must be a string");
      h->add_to()->set_organ_id(id.get_ref<const std::string&>());
    }
    return Status::Ok();
  }

  Status CodeField(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* v = doc.Find("code");
    if (v == nullptr) return Status::Ok();  // the validator: "is required"
    JsonObjectReader code(*v, "code");
    DOCBUS_RETURN_IF_ERROR(code.Start());
    DOCBUS_RETURN_IF_ERROR(
        Str(code, "number", h->mutable_code()->mutable_code_number()));
    DOCBUS_RETURN_IF_ERROR(
        Str(code, "notation", h->mutable_code()->mutable_code_notation()));
    return code.Finish();
  }

  Status Promulgation(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* v = doc.Find("promulgation");
    if (v == nullptr) return Status::Ok();
    JsonObjectReader p(*v, "promulgation");
    DOCBUS_RETURN_IF_ERROR(p.Start());
    auto* info = h->mutable_promulgation_info();
    DOCBUS_RETURN_IF_ERROR(Str(p, "place", info->mutable_place()));
    DOCBUS_RETURN_IF_ERROR(Str(p, "date", info->mutable_promulgation_date()));
    return p.Finish();
  }

  Status DocType(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* v = doc.Find("document_type");
    if (v == nullptr) return Status::Ok();
    JsonObjectReader t(*v, "document_type");
    DOCBUS_RETURN_IF_ERROR(t.Start());
    auto* type = h->mutable_document_type();
    int64_t n = 0;
    DOCBUS_RETURN_IF_ERROR(t.Int("type", kInt32Min, kInt32Max, false, &n));
    type->set_type(static_cast<int32_t>(n));
    n = 0;
    DOCBUS_RETURN_IF_ERROR(t.Int("detail", kInt32Min, kInt32Max, false, &n));
    type->set_type_detail(static_cast<int32_t>(n));
    DOCBUS_RETURN_IF_ERROR(Str(t, "name", type->mutable_type_name()));
    return t.Finish();
  }

  struct TextField {
    std::string_view key;
    std::string* out;
  };

  // An optional object made only of text fields.
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
      DOCBUS_RETURN_IF_ERROR(Str(r, f.key, f.out));
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
    DOCBUS_RETURN_IF_ERROR(b.Int("type", kInt32Min, kInt32Max, false, &type));
    h->set_business_type(static_cast<v1::BusinessType>(type));
    DOCBUS_RETURN_IF_ERROR(
        Str(b, "target_document_id", h->mutable_business_target_document_id()));
    DOCBUS_RETURN_IF_ERROR(Str(b, "reason", h->mutable_business_reason()));
    return b.Finish();
  }

  Status ResponseFor(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* v = doc.Find("response_for");
    if (v == nullptr) return Status::Ok();
    DOCBUS_RETURN_IF_ERROR(CheckJsonArray(*v, "response_for", kAnyLength));
    for (size_t i = 0; i < v->size(); ++i) {
      JsonObjectReader r((*v)[i], JsonIndex("response_for", i));
      DOCBUS_RETURN_IF_ERROR(r.Start());
      v1::ResponseFor* out = h->add_response_for();
      DOCBUS_RETURN_IF_ERROR(Str(r, "organ_id", out->mutable_organ_id()));
      DOCBUS_RETURN_IF_ERROR(Str(r, "code", out->mutable_code()));
      DOCBUS_RETURN_IF_ERROR(
          Str(r, "promulgation_date", out->mutable_promulgation_date()));
      DOCBUS_RETURN_IF_ERROR(Str(r, "document_id", out->mutable_document_id()));
      DOCBUS_RETURN_IF_ERROR(r.Finish());
    }
    return Status::Ok();
  }

  Status ToPlaces(JsonObjectReader& doc, v1::DocumentHeader* h) {
    const json* v = doc.Find("to_places");
    if (v == nullptr) return Status::Ok();
    DOCBUS_RETURN_IF_ERROR(CheckJsonArray(*v, "to_places", kAnyLength));
    for (size_t i = 0; i < v->size(); ++i) {
      const json& place = (*v)[i];
      if (!place.is_string()) {
        return InvalidField(JsonIndex("to_places", i), "must be a string");
      }
      h->add_to_places(place.get_ref<const std::string&>());
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
    size_t inline_total = 0;
    for (size_t i = 0; i < v->size(); ++i) {
      AttachmentInput a;
      DOCBUS_RETURN_IF_ERROR(
          Attachment((*v)[i], JsonIndex("attachments", i), &a));
      inline_total += a.data.size();
      if (inline_total > limits_.max_inline_bytes) {
        return Status(Code::kTooLarge,
                      JsonIndex("attachments", i) +
                          ": more attachment bytes in the request than "
                          "limits.max_inline_bytes (" +
                          std::to_string(limits_.max_inline_bytes) +
                          "); upload large files with POST /v1/attachments "
                          "and give their attachment_id");
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
    std::string id;
    DOCBUS_RETURN_IF_ERROR(r.Text("attachment_id", 64, false, false, &id));
    if ((data != nullptr) + !file.empty() + !id.empty() > 1) {
      return InvalidField(path, "give one of file, data_base64 and "
                                "attachment_id");
    }
    if (data == nullptr && file.empty() && id.empty()) {
      return InvalidField(JsonPath(path, files_ ? "file" : "data_base64"),
                          "is required (or attachment_id)");
    }
    if (!id.empty()) {
      std::optional<std::string> sha = Sha256FromHex(id);
      if (!sha) {
        return InvalidField(JsonPath(path, "attachment_id"),
                            "must be 64 lowercase hex digits (the SHA-256 "
                            "POST /v1/attachments answered)");
      }
      a->uploaded_sha256 = std::move(*sha);
    }
    DOCBUS_RETURN_IF_ERROR(r.Text("name", 255, file.empty(), false, &a->name));
    if (a->name.empty()) a->name = file;
    DOCBUS_RETURN_IF_ERROR(
        document::CheckAttachmentName(JsonPath(path, "name"), a->name));
    DOCBUS_RETURN_IF_ERROR(
        r.Text("media_type", 255, false, false, &a->media_type));
    if (a->media_type.empty()) a->media_type = "application/octet-stream";
    DOCBUS_RETURN_IF_ERROR(
        document::CheckMediaType(JsonPath(path, "media_type"), a->media_type));
    DOCBUS_RETURN_IF_ERROR(r.Finish());
    if (!id.empty()) return Status::Ok();  // the builder finds its size
    if (data != nullptr) {
      const std::string& text = data->get_ref<const std::string&>();
      if (text.size() / 4 * 3 > limits_.max_inline_bytes + 2) {
        return InlineTooLarge(path);
      }
      std::optional<std::string> decoded = Base64Decode(text);
      if (!decoded) {
        return InvalidField(JsonPath(path, "data_base64"),
                            "not valid base64 (standard alphabet, padded)");
      }
      a->data = std::move(*decoded);
    } else {
      DOCBUS_RETURN_IF_ERROR(
          ReadAttachmentFile(JsonPath(path, "file"), file, a));
    }
    if (a->data.size() > limits_.max_attachment_bytes) {
      return Status(Code::kTooLarge,
                    path + ": larger than limits.max_attachment_bytes (" +
                        std::to_string(limits_.max_attachment_bytes) +
                        " bytes)");
    }
    return Status::Ok();
  }

  Status InlineTooLarge(const std::string& path) const {
    return Status(Code::kTooLarge,
                  path + ": larger than limits.max_inline_bytes (" +
                      std::to_string(limits_.max_inline_bytes) +
                      " bytes) inline; upload it with POST /v1/attachments "
                      "and give its attachment_id");
  }

  Status ReadAttachmentFile(const std::string& path, const std::string& name,
                            AttachmentInput* a) const {
    const Status found = files_(name, a);
    if (found.ok()) return found;
    if (found.code() == Code::kNotFound) {
      return InvalidField(path, "no such file '" + name + "'");
    }
    return found.Prefixed(path);
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
  return DocumentParser(
             limits, now_unix_ms,
             [&submission_folder, &limits](const std::string& name,
                                           AttachmentInput* a) -> Status {
               DOCBUS_ASSIGN_OR_RETURN(
                   a->data, ReadRegularFile(submission_folder / name,
                                            limits.max_inline_bytes));
               return Status::Ok();
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
  DOCBUS_RETURN_IF_ERROR(r.Int("code", kInt32Min, kInt32Max, true, &code));
  report.code = static_cast<v1::StatusCode>(code);
  DOCBUS_RETURN_IF_ERROR(
      r.Text("description", kAnyLength, false, true, &report.description));
  DOCBUS_RETURN_IF_ERROR(document::CheckStatusReport(
      report.code, report.description, limits.max_description_bytes));
  DOCBUS_RETURN_IF_ERROR(r.Text("to", 13, false, false, &report.to));
  if (!report.to.empty()) {
    Status valid = ValidateAgencyId(report.to);
    if (!valid.ok()) return InvalidField("to", valid.message());
  }
  DOCBUS_RETURN_IF_ERROR(r.Finish());
  return report;
}

bool IsPlainFileName(std::string_view name) {
  return document::IsPlainFileName(name);
}

}  // namespace docbus::agent
