// edXML envelopes: the samples parse to the model a receiving system expects,
// write back with explicit "edXML:" prefixes and parse again to the same
// model with byte-identical attachments, and bad fields are refused naming
// the element and the rule as the axis hubs do.
#include <catch2/catch.hpp>
#include <regex>

#include "bus/edxml/edxml_envelope.h"
#include "tests/edxml/edxml_samples.h"

namespace docbus::edxml {
namespace {

using testing::Replaced;
using testing::Sample;

Envelope Parsed(const std::string& bytes, const EnvelopeLimits& limits = {}) {
  Result<Envelope> env = ParseEnvelope(bytes, limits);
  INFO(env.status().ToString());
  REQUIRE(env.ok());
  return std::move(env).value();
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// Every element the writer wrote, outside the carried signature, has the
// explicit prefix.
void CheckAllPrefixed(std::string written, const Signature& signature) {
  if (!signature.xml.empty()) {
    const size_t at = written.find(signature.xml);
    REQUIRE(at != std::string::npos);
    written.erase(at, signature.xml.size());
  }
  static const std::regex unprefixed("</?(?!edXML:)[A-Za-z_]");
  std::smatch m;
  const bool found = std::regex_search(written, m, unprefixed);
  INFO((found ? written.substr(m.position(), 40) : ""));
  CHECK_FALSE(found);
}

TEST_CASE("a new document with two attachments reads as sent", "[edxml]") {
  const Envelope env = Parsed(Sample("new_two_attachments.edxml"));
  const MessageHeader& h = env.header;
  CHECK(h.from.organ_id == "000.00.00.G22");
  CHECK(h.from.organ_name == "Văn phòng Chính phủ");
  REQUIRE(h.to.size() == 2);
  CHECK(h.to[0].organ_id == "000.00.00.H41");
  CHECK(h.to[1].organ_id == "000.00.00.H14");
  CHECK(h.code.code_number == "1896");
  CHECK(h.code.code_notation == "VPCP-TTĐT");
  CHECK(h.promulgation_info.promulgation_date == "2026/11/28");
  CHECK(h.document_type.type_name == "Công văn");
  CHECK(h.subject ==
        "V/v kết nối, liên thông phần mềm quản lý văn bản & hồ sơ");
  CHECK(h.content == "Đề nghị các cơ quan <khẩn trương> triển khai.");
  CHECK(h.signer_info.competence == "TL. BỘ TRƯỞNG");
  CHECK(h.due_date == "2026/12/15");
  CHECK(h.other_info.priority == "3");
  CHECK(h.other_info.appendixes == std::vector<std::string>{"Phụ lục I"});
  CHECK(h.to_places.size() == 2);
  CHECK(h.steering_type == "1");
  CHECK(h.document_id == "000.00.00.G22,2026/11/28,1896/VPCP-TTĐT");
  REQUIRE(env.traces.size() == 1);
  CHECK(env.traces[0].timestamp == "2026/11/28 09:15:00");
  CHECK(env.business.doc_type == BusinessType::kNew);
  REQUIRE(env.business.staff.size() == 1);
  CHECK(env.business.staff[0].staff == "Nguyễn Thị Ngọc Trâm");
  CHECK(env.signature.state == Signature::State::kFilled);
  CHECK(StartsWith(env.signature.xml, "<Signature>"));
  CHECK(env.signature.xml.find("<SignatureValue>") != std::string::npos);
  CHECK(env.manifest.size() == 2);
  CHECK(env.unmapped.empty());

  REQUIRE(env.attachments.size() == 2);
  const Attachment& zip = env.attachments[0];
  CHECK(zip.content_id == "cid:209");
  CHECK(zip.attachment_name == "1896_QD-TTg.zip");
  CHECK(zip.content_type == "application/zip");
  CHECK(StartsWith(zip.data, "PK\x03\x04"));  // a zip stays a zip
  CHECK(zip.data == Sample("attachments/1896_QD-TTg.zip"));
  // The second one's base64 is wrapped at 76 columns.
  CHECK(env.attachments[1].content_type == "application/pdf");
  CHECK(env.attachments[1].data == Sample("attachments/phu-luc.pdf"));
}

TEST_CASE("revocation, update and replacement carry what they act on",
          "[edxml]") {
  const Envelope revoke = Parsed(Sample("revocation.edxml"));
  CHECK(revoke.business.doc_type == BusinessType::kRevoke);
  REQUIRE(revoke.header.response_for.size() == 1);
  CHECK(revoke.header.response_for[0].code == "1896/VPCP-TTĐT");
  CHECK(revoke.header.response_for[0].document_id ==
        "000.00.00.G22,2026/11/28,1896/VPCP-TTĐT");
  CHECK(revoke.signature.state == Signature::State::kEmpty);

  const Envelope update = Parsed(Sample("update.edxml"));
  CHECK(update.business.doc_type == BusinessType::kUpdate);
  CHECK(update.business.document_id ==
        "000.00.00.G22,2026/11/28,1896/VPCP-TTĐT");
  CHECK(update.business.has_document_info);
  CHECK(update.business.document_info.document_receiver == "1");
  REQUIRE(update.business.document_info.receivers.size() == 2);
  CHECK(update.business.document_info.receivers[1].organ_id == "000.00.00.H29");
  CHECK(update.signature.state == Signature::State::kAbsent);

  const Envelope replace = Parsed(Sample("replacement.edxml"));
  CHECK(replace.business.doc_type == BusinessType::kReplace);
  REQUIRE(replace.business.replacements.size() == 1);
  CHECK(replace.business.replacements[0].document_id ==
        "000.00.00.G22,2026/11/28,1896/VPCP-TTĐT");
  CHECK(replace.business.replacements[0].organ_ids ==
        std::vector<std::string>{"000.00.00.H41", "000.00.00.H14"});
}

TEST_CASE("the field deviations of real traffic are accepted and carried",
          "[edxml]") {
  const Envelope env = Parsed(Sample("deviations.edxml"));
  // System ids as OrganIds, a UUID DocumentId, a non-numeric CodeNumber.
  CHECK(env.header.from.organ_id == "vxp.saas.01");
  REQUIRE(env.header.to.size() == 1);
  CHECK(env.header.to[0].organ_id == "vxp.saas.03");
  CHECK(env.header.document_id == "5b8209a7-4c1e-4f0b-9a55-2f1d7c7d6e11");
  CHECK(env.header.code.code_number == "74fass22");
  // Children in another order everywhere (Bussiness before TraceHeader,
  // Subject before From, the attachments before the envelope).
  CHECK(env.header.subject == "Báo cáo tình hình");
  CHECK(env.header.promulgation_info.place == "Đà Nẵng");
  REQUIRE(env.traces.size() == 1);
  CHECK(env.traces[0].organ_id == "vxp.saas.01");
  REQUIRE(env.attachments.size() == 1);
  CHECK(env.attachments[0].data == Sample("attachments/1896_QD-TTg.zip"));
  // An XML-DSig signature in its own namespace, prefix declared on the root.
  CHECK(env.signature.state == Signature::State::kFilled);
  CHECK(env.signature.prefix == "ds");
  CHECK(env.signature.ns == "http://www.w3.org/2000/09/xmldsig#");
  // An element docbus does not know is named for the caller to warn about.
  CHECK(env.unmapped == std::vector<std::string>{"MessageHeader.FutureField"});

  const Envelope bare = Parsed(Sample("unprefixed.edxml"));
  CHECK(bare.header.from.organ_id == "000.00.00.G22");
  CHECK(bare.header.to.size() == 2);
  CHECK(bare.business.staff.size() == 1);
  CHECK(bare.unmapped.empty());
  // Without a namespace or with it, the same document.
  Envelope prefixed = Parsed(Sample("update.edxml"));
  CHECK(bare.header == prefixed.header);
}

TEST_CASE("what is written parses back to the same envelope", "[edxml]") {
  for (const char* name :
       {"new_two_attachments.edxml", "revocation.edxml", "update.edxml",
        "replacement.edxml", "deviations.edxml", "unprefixed.edxml"}) {
    INFO(name);
    Envelope env = Parsed(Sample(name));
    const std::string written = WriteEnvelope(env);
    CheckAllPrefixed(written, env.signature);
    Envelope again = Parsed(written);
    env.unmapped.clear();
    CHECK(again.unmapped.empty());
    CHECK(again == env);
    for (size_t i = 0; i < env.attachments.size(); ++i) {
      CHECK(again.attachments[i].data == env.attachments[i].data);
    }
  }
}

TEST_CASE("a UTF-8 byte order mark changes nothing", "[edxml]") {
  const std::string plain = Sample("deviations.edxml");
  const Envelope with_bom = Parsed("\xEF\xBB\xBF" + plain);
  CHECK(with_bom == Parsed(plain));
  CHECK(StartsWith(with_bom.signature.xml, "<ds:Signature>"));
}

TEST_CASE("bad envelopes are refused naming the element and the rule",
          "[edxml]") {
  const std::string good = Sample("new_two_attachments.edxml");
  struct Case {
    std::string what;
    std::string bytes;
    std::string message;
  };
  const std::string second_to = "<edXML:OrganId>000.00.00.H14</edXML:OrganId>";
  const std::vector<Case> cases = {
      {"no recipient",
       std::regex_replace(good, std::regex("<edXML:To>[\\s\\S]*?</edXML:To>"),
                          ""),
       "N.MessageHeader.To: missing"},
      {"a recipient twice",
       Replaced(good, second_to,
                "<edXML:OrganId>000.00.00.H41</edXML:OrganId>"),
       "M.MessageHeader.To[1].OrganId:"},
      {"no subject",
       std::regex_replace(good, std::regex("<edXML:Subject>.*</edXML:Subject>"),
                          ""),
       "N.MessageHeader.Subject:"},
      {"two subjects",
       Replaced(good, "<edXML:Content>",
                "<edXML:Subject>x</edXML:Subject><edXML:Content>"),
       "M.MessageHeader.Subject: appears more than once"},
      {"a business type out of range",
       Replaced(good, "<edXML:BussinessDocType>0", "<edXML:BussinessDocType>7"),
       "R.TraceHeaderList.Bussiness.BussinessDocType:"},
      {"a priority out of range",
       Replaced(good, "<edXML:Priority>3", "<edXML:Priority>9"),
       "R.MessageHeader.OtherInfo.Priority:"},
      {"a date in another format",
       Replaced(good, "<edXML:PromulgationDate>2026/11/28",
                "<edXML:PromulgationDate>28/11/2026"),
       "M.MessageHeader.PromulgationInfo.PromulgationDate:"},
      {"a time stamp in another format",
       Replaced(good, "2026/11/28 09:15:00", "2026-11-28T09:15:00"),
       "M.TraceHeaderList.TraceHeader[0].Timestamp:"},
      {"no sender",
       std::regex_replace(
           good, std::regex("<edXML:From>[\\s\\S]*?</edXML:From>"), ""),
       "N.MessageHeader.From: missing"},
      {"an attachment that is not base64",
       Replaced(good, "<ContentTransferEncoded>", "<ContentTransferEncoded>*"),
       "M.edXML.AttachmentEncoded.Attachment.ContentTransferEncoded: not "
       "base64"},
      {"an update that names nothing",
       std::regex_replace(
           Replaced(good, "<edXML:BussinessDocType>0",
                    "<edXML:BussinessDocType>2"),
           std::regex(
               "<edXML:DocumentId>000.00.00.G22,2026/11/28,1896/"
               "VPCP-TTĐT</edXML:DocumentId>\\s*<edXML:BussinessDocType>"),
           "<edXML:BussinessDocType>"),
       "N.TraceHeaderList.Bussiness.DocumentId:"},
      {"a replacement that names nothing",
       Replaced(good, "<edXML:BussinessDocType>0", "<edXML:BussinessDocType>3"),
       "N.TraceHeaderList.Bussiness.ReplacementInfoList:"},
      {"another root", Replaced(good, "<edXML xmlns", "<edXMLX xmlns"),
       "M.xml:"},
      {"a root in another namespace",
       Replaced(good,
                "<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">",
                "<edXML xmlns=\"urn:other\">"),
       "M.edXML: the root element must be edXML"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const Result<Envelope> env = ParseEnvelope(c.bytes, {});
    REQUIRE_FALSE(env.ok());
    INFO(env.status().message());
    CHECK(StartsWith(env.status().message(), c.message));
  }

  // A carried signature must stand on its own where the writer puts it.
  const std::string deviations = Sample("deviations.edxml");
  const Result<Envelope> outside = ParseEnvelope(
      Replaced(Replaced(deviations, "xmlns:ds=", "xmlns:x=\"urn:x\" xmlns:ds="),
               "<ds:SignatureValue>QUJD</ds:SignatureValue>", "<x:Other/>"),
      {});
  REQUIRE_FALSE(outside.ok());
  CHECK(StartsWith(outside.status().message(),
                   "M.Signature: uses a namespace prefix declared outside it"));

  EnvelopeLimits one;
  one.max_attachments = 1;
  const Result<Envelope> env = ParseEnvelope(good, one);
  REQUIRE_FALSE(env.ok());
  CHECK(StartsWith(env.status().message(),
                   "R.AttachmentEncoded.Attachment: more than 1"));
}

}  // namespace
}  // namespace docbus::edxml
