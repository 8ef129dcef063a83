#include "bus/edxml/xml_out.h"

#include "bus/core/base64.h"
#include "bus/document/text_rules.h"

namespace docbus::edxml {

void XmlOut::Open(std::string_view name) {
  out_->append("<edXML:").append(name).append(">");
}

void XmlOut::Close(std::string_view name) {
  out_->append("</edXML:").append(name).append(">");
}

void XmlOut::Leaf(std::string_view name, std::string_view text) {
  if (text.empty()) return;
  Open(name);
  Text(text);
  Close(name);
}

void XmlOut::Base64Leaf(std::string_view name, std::string_view bytes) {
  Open(name);
  out_->reserve(out_->size() + (bytes.size() + 2) / 3 * 4 + 64);
  // Slices of a multiple of 3 bytes encode to contiguous base64.
  constexpr size_t kSlice = 3 * 4096;
  for (size_t at = 0; at < bytes.size(); at += kSlice) {
    out_->append(Base64Encode(bytes.substr(at, kSlice)));
  }
  Close(name);
}

void XmlOut::Text(std::string_view text) {
  if (!document::IsValidUtf8(text)) {
    // Keep what is valid ASCII; the rest becomes U+FFFD.
    for (unsigned char c : text) {
      if (c < 0x80) {
        Text(std::string_view(reinterpret_cast<const char*>(&c), 1));
      } else {
        out_->append("\xEF\xBF\xBD");
      }
    }
    return;
  }
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&':
        out_->append("&amp;");
        break;
      case '<':
        out_->append("&lt;");
        break;
      case '>':
        out_->append("&gt;");
        break;
      case '\r':
        out_->append("&#13;");
        break;
      case '\t':
      case '\n':
        out_->push_back(ch);
        break;
      default:
        if (c < 0x20) {
          out_->append("\xEF\xBF\xBD");
        } else {
          out_->push_back(ch);
        }
    }
  }
}

}  // namespace docbus::edxml
