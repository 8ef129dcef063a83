// The rendering half of json_codec.h: answers and exports as JSON. Only
// builds values; never throws.
#include <utility>

#include "agents/attachment_href.h"
#include "agents/json_codec.h"
#include "bus/core/base64.h"
#include "bus/core/ids.h"

namespace docbus::agent {
namespace {

using nlohmann::json;

void PutIfSet(json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}

json RenderOrgan(const v1::Organ& o, bool with_id) {
  json out = json::object();
  if (with_id) out["organ_id"] = o.organ_id();
  PutIfSet(out, "organ_name", o.organ_name());
  PutIfSet(out, "organization_in_charge", o.organization_in_charge());
  PutIfSet(out, "organ_address", o.organ_address());
  PutIfSet(out, "email", o.email());
  PutIfSet(out, "telephone", o.telephone());
  PutIfSet(out, "fax", o.fax());
  PutIfSet(out, "website", o.website());
  return out;
}

// The edXML fields a caller fills, in the POST /v1/documents shape.
json RenderEdxmlFields(const v1::DocumentHeader& h, bool from_with_id) {
  json out = json::object();
  json to = json::array();
  for (const v1::Organ& o : h.to()) to.push_back(o.organ_id());
  out["to"] = std::move(to);
  out["subject"] = h.subject();
  PutIfSet(out, "content", h.content());
  out["code"] = {{"number", h.code().code_number()},
                 {"notation", h.code().code_notation()}};
  if (h.has_promulgation_info()) {
    json p = json::object();
    PutIfSet(p, "place", h.promulgation_info().place());
    PutIfSet(p, "date", h.promulgation_info().promulgation_date());
    out["promulgation"] = std::move(p);
  }
  if (h.has_document_type()) {
    out["document_type"] = {{"type", h.document_type().type()},
                            {"detail", h.document_type().type_detail()},
                            {"name", h.document_type().type_name()}};
  }
  if (h.has_signer_info()) {
    json s = json::object();
    PutIfSet(s, "competence", h.signer_info().competence());
    PutIfSet(s, "position", h.signer_info().position());
    PutIfSet(s, "full_name", h.signer_info().full_name());
    out["signer"] = std::move(s);
  }
  json from = RenderOrgan(h.from(), from_with_id);
  if (!from.empty()) out["from"] = std::move(from);
  if (h.has_staff_info()) {
    json s = json::object();
    PutIfSet(s, "department", h.staff_info().department());
    PutIfSet(s, "staff", h.staff_info().staff());
    PutIfSet(s, "email", h.staff_info().email());
    PutIfSet(s, "mobile", h.staff_info().mobile());
    out["staff_info"] = std::move(s);
  }
  PutIfSet(out, "due_date", h.due_date());
  out["priority"] = static_cast<int>(h.priority());
  out["steering_type"] = h.steering_type();
  if (h.business_type() != v1::BUSINESS_NEW ||
      !h.business_target_document_id().empty() ||
      !h.business_reason().empty()) {
    json b = {{"type", static_cast<int>(h.business_type())}};
    PutIfSet(b, "target_document_id", h.business_target_document_id());
    PutIfSet(b, "reason", h.business_reason());
    out["business"] = std::move(b);
  }
  if (h.response_for_size() > 0) {
    json list = json::array();
    for (const v1::ResponseFor& r : h.response_for()) {
      json item = json::object();
      PutIfSet(item, "organ_id", r.organ_id());
      PutIfSet(item, "code", r.code());
      PutIfSet(item, "promulgation_date", r.promulgation_date());
      PutIfSet(item, "document_id", r.document_id());
      list.push_back(std::move(item));
    }
    out["response_for"] = std::move(list);
  }
  if (h.to_places_size() > 0) {
    out["to_places"] = json(
        std::vector<std::string>(h.to_places().begin(), h.to_places().end()));
  }
  PutIfSet(out, "document_id", h.document_id());
  if (h.expires_unix_ms() != 0) out["expires_unix_ms"] = h.expires_unix_ms();
  return out;
}

}  // namespace

json RenderDocumentRequest(const DocumentRequest& request) {
  json out = RenderEdxmlFields(request.header, /*from_with_id=*/false);
  if (!request.attachments.empty()) {
    json list = json::array();
    for (const AttachmentInput& a : request.attachments) {
      json item{{"name", a.name}, {"media_type", a.media_type}};
      if (a.uploaded_sha256.empty()) {
        item["data_base64"] = Base64Encode(a.data);
      } else {
        item["attachment_id"] = Hex(a.uploaded_sha256);
      }
      list.push_back(std::move(item));
    }
    out["attachments"] = std::move(list);
  }
  return out;
}

json RenderHeader(const v1::DocumentHeader& header,
                  const std::vector<std::string>& attachment_files) {
  json out = RenderEdxmlFields(header, /*from_with_id=*/true);
  out["message_id"] = header.message_id();
  out["created_unix_ms"] = header.created_unix_ms();
  json list = json::array();
  for (int i = 0; i < header.attachments_size(); ++i) {
    const v1::AttachmentManifest& m = header.attachments(i);
    json item = {{"name", m.name()},
                 {"media_type", m.media_type()},
                 {"size", m.size()},
                 {"sha256", Hex(m.sha256())}};
    if (static_cast<size_t>(i) < attachment_files.size()) {
      item["file"] = attachment_files[i];
    }
    list.push_back(std::move(item));
  }
  out["attachments"] = std::move(list);
  return out;
}

json RenderStatus(const StatusView& view) {
  return {{"status_id", view.status_id},
          {"message_id", view.message_id},
          {"from", view.from},
          {"to", view.to},
          {"code", view.code},
          {"description", view.description},
          {"created_unix_ms", view.created_unix_ms}};
}

json RenderOutgoing(const OutgoingView& view) {
  json out = {{"message_id", view.message_id},
              {"state", view.state},
              {"recipients", view.recipients},
              {"dead_letters", view.dead_letters},
              {"submitted_unix_ms", view.submitted_unix_ms}};
  if (!view.reason.empty()) out["reason"] = view.reason;
  if (!view.detail.empty()) out["detail"] = view.detail;
  if (view.audit_index >= 0) out["audit_index"] = view.audit_index;
  if (view.accepted_unix_ms != 0)
    out["accepted_unix_ms"] = view.accepted_unix_ms;
  json receipts = json::array();
  for (const ReceiptView& r : view.receipts) {
    receipts.push_back({{"recipient", r.recipient},
                        {"received_unix_ms", r.received_unix_ms},
                        {"arrived_unix_ms", r.arrived_unix_ms}});
  }
  out["receipts"] = std::move(receipts);
  json statuses = json::array();
  for (const StatusView& s : view.statuses) statuses.push_back(RenderStatus(s));
  out["statuses"] = std::move(statuses);
  json lifecycle = json::array();
  for (const RecipientLifecycle& l : view.lifecycle) {
    lifecycle.push_back({{"recipient", l.recipient},
                         {"state", l.state},
                         {"last_status", l.last_code}});
  }
  out["lifecycle"] = std::move(lifecycle);
  return out;
}

json RenderIncomingSummary(const IncomingSummary& s) {
  const IncomingLifecycle& l = s.lifecycle;
  return {{"seq", s.seq},
          {"message_id", s.message_id},
          {"sender", s.sender},
          {"subject", s.subject},
          {"document_id", s.document_id},
          {"priority", s.priority},
          {"received_unix_ms", s.received_unix_ms},
          {"lifecycle",
           {{"state", l.state},
            {"revoke", l.revoke},
            {"last_status", l.last_code},
            {"revoked_by", l.revoked_by},
            {"updated_by", l.updated_by},
            {"replaced_by", l.replaced_by}}}};
}

json RenderIncomingDocument(const IncomingDocument& document) {
  json out = RenderIncomingSummary(document.summary);
  out["header"] = RenderHeader(document.header);
  out["header_base64"] = Base64Encode(document.header_bytes);
  out["signature_base64"] = Base64Encode(document.signature);
  json list = json::array();
  for (size_t i = 0; i < document.attachments.size(); ++i) {
    const AttachmentInput& a = document.attachments[i];
    const bool in_file = i < document.attachment_files.size() &&
                         !document.attachment_files[i].empty();
    const int m = static_cast<int>(i);
    const bool listed = m < document.header.attachments_size();
    const uint64_t size =
        listed ? document.header.attachments(m).size() : a.data.size();
    json item = {
        {"name", a.name}, {"media_type", a.media_type}, {"size", size}};
    if (listed) item["sha256"] = Hex(document.header.attachments(m).sha256());
    // Large ones are downloaded on their own (agents/download_routes.h).
    if (in_file || a.data.size() > kMaxInlineAttachmentBytes) {
      item["href"] = InboxAttachmentHref(document.summary.message_id, i);
    } else {
      item["data_base64"] = Base64Encode(a.data);
    }
    list.push_back(std::move(item));
  }
  out["attachments"] = std::move(list);
  return out;
}

json RenderError(const Status& status) {
  return {{"error", std::string(CodeName(status.code()))},
          {"detail", status.message()}};
}

std::string DumpJson(const json& value, int indent) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace docbus::agent
