// Hostile XML: refused with a clear Status, without expanding, loading or
// holding more than the document, and never echoing what it pointed at.
// Peak memory growth is measured (getrusage) and printed; where a bound is
// the promise, it is asserted.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "bus/edxml/edxml_envelope.h"
#include "bus/edxml/edxml_parser.h"
#include "bus/edxml/edxml_status.h"
#include "tests/edxml/edxml_samples.h"

namespace docbus::edxml {
namespace {

using testing::PeakRssGrowth;
using testing::Replaced;
using testing::Sample;

constexpr size_t kMiB = 1 << 20;

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

void Print(const std::string& what, size_t growth) {
  std::printf("edxml memory: %s: peak RSS +%.1f MiB\n", what.c_str(),
              static_cast<double>(growth) / kMiB);
}

Status Refusal(const std::string& bytes, const EnvelopeLimits& limits = {}) {
  const Result<Envelope> env = ParseEnvelope(bytes, limits);
  REQUIRE_FALSE(env.ok());
  return env.status();
}

TEST_CASE("a billion laughs is refused at its DOCTYPE", "[edxml]") {
  const std::string doc = testing::BillionLaughs();
  Status status;
  const size_t growth = PeakRssGrowth([&] { status = Refusal(doc); });
  Print("billion laughs", growth);
  CHECK(status.code() == Code::kMalformed);
  CHECK(StartsWith(status.message(), "M.DOCTYPE:"));
  CHECK(growth < 16 * kMiB);
}

TEST_CASE("an external entity is never read, and never echoed", "[edxml]") {
  std::ifstream in("/etc/passwd");
  std::string first_line;
  REQUIRE(std::getline(in, first_line));
  REQUIRE_FALSE(first_line.empty());
  const std::string good = Sample("new_two_attachments.edxml");
  const std::string with_doctype = Replaced(
      Replaced(good, "<edXML xmlns",
               "<!DOCTYPE edXML [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
               "\n<edXML xmlns"),
      "<edXML:Content>Đề nghị", "<edXML:Content>&xxe;Đề nghị");
  const Status refused = Refusal(with_doctype);
  CHECK(StartsWith(refused.message(), "M.DOCTYPE:"));
  CHECK(refused.message().find(first_line) == std::string::npos);

  // Without its declaration the reference is an undeclared entity.
  const std::string undeclared =
      Replaced(good, "<edXML:Content>Đề nghị", "<edXML:Content>&xxe;Đề nghị");
  const Status bad = Refusal(undeclared);
  CHECK(StartsWith(bad.message(), "M.xml:"));
  CHECK(bad.message().find("xxe") != std::string::npos);
  CHECK(bad.message().find(first_line) == std::string::npos);

  // A status packet goes through the same reader.
  const Result<StatusPacket> status = ParseStatus(
      Replaced(Sample("status_inbox_01.edxml"), "<edXML xmlns",
               "<!DOCTYPE edXML SYSTEM \"file:///etc/passwd\">\n<edXML xmlns"),
      {});
  REQUIRE_FALSE(status.ok());
  CHECK(StartsWith(status.status().message(), "M.DOCTYPE:"));
}

TEST_CASE("any DOCTYPE is refused, even a harmless one", "[edxml]") {
  const Status s = Refusal(Replaced(Sample("update.edxml"), "<edXML xmlns",
                                    "<!DOCTYPE edXML>\n<edXML xmlns"));
  CHECK(StartsWith(s.message(), "M.DOCTYPE:"));
}

TEST_CASE("10,000-deep nesting stops at the depth limit", "[edxml]") {
  std::string doc = "<edXML>";
  for (int i = 0; i < 10'000; ++i) doc += "<a>";
  for (int i = 0; i < 10'000; ++i) doc += "</a>";
  doc += "</edXML>";
  Status status;
  const size_t growth = PeakRssGrowth([&] { status = Refusal(doc); });
  Print("10,000-deep nesting", growth);
  CHECK(status.code() == Code::kMalformed);
  CHECK(
      StartsWith(status.message(), "R.depth: elements nested deeper than 64"));
  CHECK(status.message().size() < 1000);
}

// A document whose Content text node is `text_bytes` long.
std::string WithLargeContent(size_t text_bytes) {
  const std::string good = Sample("update.edxml");
  const std::string marker = "<edXML:Content>";
  const size_t at = good.find(marker) + marker.size();
  std::string doc;
  doc.reserve(good.size() + text_bytes);
  doc.append(good, 0, at);
  doc.append(text_bytes, 'a');
  doc.append(good, at, std::string::npos);
  return doc;
}

TEST_CASE("a 100 MiB text node is refused by the size limit, not held twice",
          "[edxml]") {
  const std::string doc = WithLargeContent(100 * kMiB);
  EnvelopeLimits limits;  // 64 MiB by default
  Status status;
  const size_t refused = PeakRssGrowth([&] { status = Refusal(doc, limits); });
  Print("100 MiB text node, 64 MiB size limit", refused);
  CHECK(status.code() == Code::kTooLarge);
  CHECK(StartsWith(status.message(), "R.size:"));
  CHECK(refused < 4 * kMiB);

  // Within the size limit, the text limit refuses it while libxml2 reads the
  // document in place: no second copy of the 100 MiB.
  limits.xml.max_document_bytes = 128 * kMiB;
  const size_t read = PeakRssGrowth([&] { status = Refusal(doc, limits); });
  Print("100 MiB text node, 128 MiB size limit", read);
  CHECK(StartsWith(status.message(),
                   "R.edXML.edXMLEnvelope.edXMLHeader.MessageHeader.Content: "
                   "text longer than"));
  CHECK(read < 16 * kMiB);
}

TEST_CASE("a large attachment is held once decoded, beside its document",
          "[edxml]") {
  Envelope env = *ParseEnvelope(Sample("update.edxml"), {});
  Attachment big;
  big.attachment_name = "scan.zip";
  big.content_type = "application/zip";
  big.data.assign(72 * kMiB, '\0');
  for (size_t i = 0; i < big.data.size(); i += 4096) {
    big.data[i] = static_cast<char>(i / 4096);
  }
  env.attachments.push_back(std::move(big));
  std::string doc;
  const size_t written = PeakRssGrowth([&] { doc = WriteEnvelope(env); });
  Print("writing a 72 MiB attachment (96 MiB of base64)", written);
  CHECK(written < doc.size() + 16 * kMiB);  // the document, nothing more

  EnvelopeLimits limits;
  limits.xml.max_document_bytes = 128 * kMiB;
  Result<Envelope> parsed = Status(Code::kInternal, "not run");
  const size_t read =
      PeakRssGrowth([&] { parsed = ParseEnvelope(doc, limits); });
  Print("reading a 96 MiB document with a 72 MiB attachment", read);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->attachments.size() == 1);
  CHECK(parsed->attachments[0].data == env.attachments[0].data);
  // The decoded bytes and nothing of the base64's size besides.
  CHECK(read < env.attachments[0].data.size() + 16 * kMiB);
}

TEST_CASE("text that is not UTF-8 is refused before it is parsed", "[edxml]") {
  const std::string good = Sample("update.edxml");
  CHECK(StartsWith(Refusal(Replaced(good, "Hà Nội", "H\xE0 N\xF4i")).message(),
                   "M.encoding: not valid UTF-8"));
  CHECK(StartsWith(Refusal(Replaced(good, "Hà Nội", "H\xC0\xAF")).message(),
                   "M.encoding:"));  // an overlong form
  CHECK(StartsWith(Refusal("\xFF\xFE<\0e\0d\0X\0M\0L\0>\0").message(),
                   "M.encoding:"));  // UTF-16
  CHECK(StartsWith(
      Refusal(Replaced(good, "encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\""))
          .message(),
      "M.encoding: the XML declaration names an encoding other than UTF-8"));
  CHECK(StartsWith(
      Refusal(Replaced(good, "Hà Nội", std::string("H\0", 2))).message(),
      "M.encoding: a NUL byte"));
}

TEST_CASE("XML that is not well-formed is refused with libxml2's reason",
          "[edxml]") {
  const Status s = Refusal(
      Replaced(Sample("update.edxml"), "</edXML:Subject>", "</edXML:Subjet>"));
  CHECK(s.code() == Code::kMalformed);
  CHECK(StartsWith(s.message(), "M.xml:"));
  CHECK(s.message().find("(line ") != std::string::npos);
  CHECK(StartsWith(Refusal("").message(), "M.xml:"));
  // An undeclared namespace prefix is a namespace error, refused too.
  CHECK(StartsWith(Refusal(Replaced(Sample("update.edxml"), "<edXML:Subject>",
                                    "<x:Note/><edXML:Subject>"))
                       .message(),
                   "M.xml: Namespace prefix x"));
  CHECK(StartsWith(Refusal("not xml").message(), "M.xml:"));
}

}  // namespace
}  // namespace docbus::edxml
