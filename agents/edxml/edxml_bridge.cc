#include "agents/edxml/edxml_bridge.h"

#include "agents/edxml/edxml_export.h"
#include "agents/edxml/edxml_import.h"
#include "agents/inbox_attachment_bytes.h"
#include "bus/core/log.h"

namespace docbus::agent {
namespace {

constexpr char kImports[] = "docbus_agent_edxml_imports_total";
constexpr char kExports[] = "docbus_agent_edxml_exports_total";

// An envelope's edXMLHeader holds a MessageHeader, a status packet's a
// Status: whichever start tag comes first tells them apart (the reader then
// checks the rest). Neither: read as an envelope, for its error.
bool LooksLikeStatus(std::string_view bytes) {
  for (size_t at = bytes.find('<'); at != std::string_view::npos;
       at = bytes.find('<', at + 1)) {
    size_t name = at + 1;
    size_t end = name;
    while (end < bytes.size() && bytes[end] != '>' && bytes[end] != ' ' &&
           bytes[end] != '\t' && bytes[end] != '\r' && bytes[end] != '\n' &&
           bytes[end] != '/') {
      ++end;
    }
    std::string_view tag = bytes.substr(name, end - name);
    const size_t colon = tag.find(':');
    if (colon != std::string_view::npos) tag.remove_prefix(colon + 1);
    if (tag == "MessageHeader") return false;
    if (tag == "Status") return true;
  }
  return false;
}

}  // namespace

AgentLimits AgentLimitsOf(const JsonLimits& json) {
  AgentLimits limits;
  limits.max_document_bytes =
      static_cast<int64_t>(json.max_total_attachment_bytes);
  limits.max_attachments = static_cast<int64_t>(json.max_attachments);
  limits.max_attachment_bytes = static_cast<int64_t>(json.max_attachment_bytes);
  limits.max_subject_bytes = static_cast<int64_t>(json.max_subject_bytes);
  limits.max_inline_bytes = static_cast<int64_t>(json.max_inline_bytes);
  return limits;
}

size_t MaxEnvelopeBytes(const AgentLimits& limits) {
  // An envelope carries its attachments inline, as base64, and is parsed in
  // memory: it is bounded like any request's inline bytes.
  return static_cast<size_t>(limits.max_inline_bytes / 3 * 4 + (1 << 20));
}

EdxmlBridge::EdxmlBridge(AgentService& service, const AgentLimits& limits)
    : service_(service) {
  limits_.xml.max_document_bytes = MaxEnvelopeBytes(limits);
  limits_.max_attachments = static_cast<size_t>(limits.max_attachments);
  // Every series exported from start, at 0 (a refusal's reason is in the
  // log and in the front end's own refusal counter).
  Metrics& m = service_.metrics();
  m.Describe(kImports, "counter",
             "edXML envelopes and status packets imported, by kind and result");
  m.Describe(kExports, "counter",
             "edXML envelopes and status packets exported, by kind and result");
  for (const char* kind : {"edoc", "status"}) {
    for (const char* result : {"ok", "duplicate", "refused"}) {
      m.Declare(kImports, Label("kind", kind) + "," + Label("result", result));
    }
  }
  for (const char* kind : {"edoc_imported", "edoc_native", "status"}) {
    for (const char* result : {"ok", "failed"}) {
      m.Declare(kExports, Label("kind", kind) + "," + Label("result", result));
    }
  }
}

namespace {
std::string Outcome(const char* kind, bool ok, bool duplicate = false) {
  return Label("kind", kind) + "," +
         Label("result", ok ? (duplicate ? "duplicate" : "ok") : "refused");
}
}  // namespace

Result<EdxmlImported> EdxmlBridge::Import(std::string_view bytes) {
  const bool status = LooksLikeStatus(bytes.substr(0, 64 << 10));
  EdxmlImported out;
  out.kind = status ? "status" : "edoc";
  Status done = [&]() -> Status {
    if (status) {
      DOCBUS_ASSIGN_OR_RETURN(edxml::StatusPacket packet,
                              edxml::ParseStatus(bytes, limits_.xml));
      DOCBUS_ASSIGN_OR_RETURN(StatusImport request,
                              StatusFromPacket(packet, service_, &out));
      if (request.to.empty()) {  // to the document's sender
        DOCBUS_ASSIGN_OR_RETURN(
            out.id, service_.ReportStatus(request.message_id, request.code,
                                          request.description));
        return Status::Ok();
      }
      // 13: to each recipient it may go to; refused only when none.
      Status first_refusal;
      for (const std::string& to : request.to) {
        Result<std::string> id = service_.ReportStatus(
            request.message_id, request.code, request.description, to);
        if (id.ok()) {
          if (out.id.empty()) out.id = std::move(id).value();
          continue;
        }
        if (first_refusal.ok()) first_refusal = id.status();
        out.skipped.push_back(to + ": " + id.status().ToString());
      }
      return out.id.empty() ? first_refusal : Status::Ok();
    }
    DOCBUS_ASSIGN_OR_RETURN(edxml::Envelope envelope,
                            edxml::ParseEnvelope(bytes, limits_));
    DOCBUS_ASSIGN_OR_RETURN(
        DocumentRequest request,
        RequestFromEnvelope(envelope, bytes, service_, &out));
    Result<std::string> first =
        service_.SubmittedWithKey(request.idempotency_key);
    if (first.ok()) {
      out.id = std::move(first).value();
      out.duplicate = true;
      return Status::Ok();
    }
    const v1::DocumentHeader& h = request.header;
    if (h.business_type() == v1::BUSINESS_NEW && !h.document_id().empty()) {
      Result<std::string> earlier = service_.FindSent(h.document_id());
      if (earlier.ok()) {
        return Status(Code::kDuplicateDocument,
                      "R.MessageHeader.DocumentId: this agency already sent "
                      "document " +
                          *earlier + " with this DocumentId");
      }
    }
    DOCBUS_ASSIGN_OR_RETURN(out.id, service_.Submit(std::move(request)));
    return Status::Ok();
  }();
  service_.metrics().Add(
      kImports, Outcome(status ? "status" : "edoc", done.ok(), out.duplicate));
  if (!done.ok()) return done;
  return out;
}

Result<std::string> EdxmlBridge::ExportDocument(std::string_view message_id) {
  DOCBUS_ASSIGN_OR_RETURN(IncomingDocument document,
                          service_.Incoming(message_id));
  // Inline base64 in the envelope: within a bound, else 413 (kTooLarge).
  DOCBUS_RETURN_IF_ERROR(LoadAttachmentBytes(document, kMaxInlineExportBytes));
  const document::TimeZone& zone = service_.time_zone();
  const std::vector<edxml::TraceHeader> hops =
      DocbusHops(document, service_.agency_id(), zone);
  const uint32_t envelope = document.header.edxml_envelope();
  Result<std::string> out = Status(Code::kInternal, "not exported");
  if (envelope != 0 && envelope <= document.attachments.size()) {
    out = AppendTraces(document.attachments[envelope - 1].data, hops);
  } else {
    out = edxml::WriteEnvelope(EnvelopeFromDocument(document, zone, hops));
  }
  service_.metrics().Add(
      kExports, Label("kind", envelope != 0 ? "edoc_imported" : "edoc_native") +
                    "," + Label("result", out.ok() ? "ok" : "failed"));
  return out;
}

Result<std::string> EdxmlBridge::ExportStatus(std::string_view status_id) {
  Result<v1::StatusBody> received = service_.StatusReceived(status_id);
  if (!received.ok()) {
    service_.metrics().Add(
        kExports, Label("kind", "status") + "," + Label("result", "failed"));
    return received.status();
  }
  v1::StatusBody body = std::move(received).value();
  Result<AgencyName> reporter = service_.ResolveAgency(body.from().organ_id());
  const AgencyName name =
      reporter.ok() ? *reporter : AgencyName{body.from().organ_id(), ""};
  // A revocation request (13) names its document by DocumentId only; the
  // packet's ResponseFor.Code is the received document's số/ký hiệu.
  v1::ResponseFor& about = *body.mutable_response_for();
  if (about.code().empty()) {
    Result<IncomingDocument> document = service_.Incoming(body.message_id());
    if (document.ok()) {
      const v1::Code& code = document->header.code();
      about.set_code(code.code_number() + "/" + code.code_notation());
      if (about.promulgation_date().empty()) {
        about.set_promulgation_date(
            document->header.promulgation_info().promulgation_date());
      }
    }
  }
  service_.metrics().Add(kExports,
                         Label("kind", "status") + "," + Label("result", "ok"));
  return edxml::WriteStatus(PacketFromStatus(body, name, service_.time_zone()));
}

}  // namespace docbus::agent
