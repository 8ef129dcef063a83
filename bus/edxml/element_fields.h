// ElementFields: how the envelope and status readers take the children of
// one edXML element. A child is matched by local name in the edXML namespace
// or in none (senders write "edXML:Subject", "Subject" under the edXML
// default namespace, or "Subject" with no namespace at all), in any order.
// What is read is marked; Finish() names every child not read, and those in
// foreign namespaces, as "<path>.<name>" in the unmapped list.
//
// Errors (first found): "M.<path>.<name>: appears more than once" for a
// single-valued field, "M.<path>.<name>: has child elements" for text
// expected, "N.<path>.<name>: missing" for Required(). Code kInvalidField.
// Not thread-safe (one per element being read).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bus/core/status.h"
#include "bus/edxml/edxml_parser.h"

namespace docbus::edxml {

// kInvalidField "<kind>.<path>: <why>", e.g. Refused('N', "MessageHeader.To",
// "missing").
Status Refused(char kind, std::string_view path, std::string_view why);

// True for an element of the edXML namespace or of none.
bool IsEdxml(const XmlElement& e);

// ParseXml with the edXML rules (ContentTransferEncoded is base64, a
// Signature / DigitalSignature is kept as its bytes), and a root element
// named edXML ("M.edXML: the root element must be edXML" otherwise).
Result<XmlElement> ParseEdxmlRoot(std::string_view bytes,
                                  const XmlLimits& limits);

class ElementFields {
 public:
  ElementFields(const XmlElement& element, std::string path,
                std::vector<std::string>* unmapped);

  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view name) const;

  // The one child of that name, or nullptr when absent.
  Result<const XmlElement*> Optional(std::string_view name);
  Result<const XmlElement*> Required(std::string_view name);
  std::vector<const XmlElement*> All(std::string_view name);
  // The first child of that local name in any namespace (an XML-DSig
  // Signature may be in its own), or nullptr.
  const XmlElement* AnyNamespace(std::string_view name);
  // The text of the one child of that name; "" when absent or empty.
  Result<std::string> Text(std::string_view name);
  Result<std::string> RequiredText(std::string_view name);

  void Finish();

 private:
  const XmlElement& element_;
  std::string path_;
  std::vector<std::string>* unmapped_;
  std::vector<bool> read_;
};

}  // namespace docbus::edxml
