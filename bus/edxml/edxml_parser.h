// The hardened XML reader under the edXML envelope and status parsers: turns
// untrusted bytes into a small element tree (XmlElement) with libxml2's SAX2
// interface, and refuses, before or while reading:
//   - more than `max_document_bytes` (checked before libxml2 sees a byte);
//   - anything that is not UTF-8 (invalid sequences, NUL, a BOM or an XML
//     declaration naming another encoding): libxml2 never converts;
//   - any DOCTYPE, so no DTD is loaded, no entity is declared or expanded
//     (no billion laughs, no external entity); an undeclared entity reference
//     is a well-formedness error; the network is never used (XML_PARSE_NONET);
//   - elements nested deeper than `max_depth`, more than `max_elements`
//     elements, a text node (other than a base64 one) over `max_text_bytes`.
//
// Memory: libxml2's push parser is fed the caller's bytes 64 KiB at a time
// and keeps only what it has not consumed; it hands character data over in
// small pieces, and the text of an element named in `base64_elements` is
// decoded as it streams, so a large attachment is held once as the document
// and once as its decoded bytes, never as a second copy of its base64.
// A namespace error (an undeclared prefix) is refused like any other.
//
// A failure is a Status whose message starts with the hub's kind letter and
// the element it is about: "M.xml: <libxml2's message> (line N)" for XML that
// is not well-formed, "M.DOCTYPE: ...", "M.encoding: ...", "R.size: ...",
// "R.depth: ...", "R.<path>: text longer than ...", "M.<path>: not base64".
// Code: kTooLarge for the size limit, kMalformed otherwise. Messages never
// repeat document contents.
//
// Pure function of its input; safe to call from any thread at once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"

namespace docbus::edxml {

// The edXML namespace (QCVN 102:2016), conventionally prefixed "edXML:".
inline constexpr std::string_view kEdxmlNamespace =
    "http://www.mic.gov.vn/TBT/QCVN_102_2016";

struct XmlLimits {
  // The whole document. The caller sets it (an agent's configured maximum
  // envelope size); at most 2 GiB - 1, what libxml2 can address.
  size_t max_document_bytes = 64u << 20;
  int max_depth = 64;
  size_t max_elements = 100'000;
  // Any one text node except those of base64 elements.
  size_t max_text_bytes = 256u << 10;
};

// One element: its namespace URI ("" when none), local name, character data
// (for a base64 element: the decoded bytes), children in document order, and
// for an element named in `raw_elements` its exact bytes in the document.
struct XmlElement {
  std::string ns;
  std::string prefix;
  std::string name;
  std::string text;
  std::string raw;
  int line = 0;
  std::vector<XmlElement> children;
};

struct XmlRules {
  // Local names whose text is base64, decoded while it streams (whitespace
  // between the characters is allowed, as line-wrapped encoders write it).
  std::vector<std::string> base64_elements;
  // Local names whose exact bytes are kept in `raw` (an XML signature is
  // carried as it came); their subtree is parsed as well.
  std::vector<std::string> raw_elements;
};

Result<XmlElement> ParseXml(std::string_view bytes, const XmlLimits& limits,
                            const XmlRules& rules);

}  // namespace docbus::edxml
