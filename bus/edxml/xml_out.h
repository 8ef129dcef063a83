// XmlOut: writes edXML into a string, every element with the "edXML:"
// prefix. Text is escaped (& < > and, in attribute-free text, CR as &#13; so
// it survives a reader's line-end normalisation). Characters XML 1.0 cannot
// carry (C0 controls other than tab, LF, CR; invalid UTF-8) are written as
// U+FFFD: the readers never produce them, so what was parsed writes back
// exactly. Not thread-safe; one per document.
#pragma once

#include <string>
#include <string_view>

namespace docbus::edxml {

class XmlOut {
 public:
  explicit XmlOut(std::string* out) : out_(out) {}

  void Open(std::string_view name);
  void Close(std::string_view name);
  // <edXML:name>text</edXML:name>, nothing when `text` is empty.
  void Leaf(std::string_view name, std::string_view text);
  // Bytes written as they are (the XML declaration, a carried signature).
  void Raw(std::string_view bytes) { out_->append(bytes); }
  // <edXML:name>base64 of bytes</edXML:name>, encoded straight into the
  // output.
  void Base64Leaf(std::string_view name, std::string_view bytes);
  void Text(std::string_view text);

 private:
  std::string* out_;
};

}  // namespace docbus::edxml
