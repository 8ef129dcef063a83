#include "bus/edxml/element_fields.h"

namespace docbus::edxml {

Status Refused(char kind, std::string_view path, std::string_view why) {
  std::string message(1, kind);
  message += '.';
  message += path;
  message += ": ";
  message += why;
  return Status(Code::kInvalidField, std::move(message));
}

bool IsEdxml(const XmlElement& e) {
  return e.ns.empty() || e.ns == kEdxmlNamespace;
}

ElementFields::ElementFields(const XmlElement& element, std::string path,
                             std::vector<std::string>* unmapped)
    : element_(element),
      path_(std::move(path)),
      unmapped_(unmapped),
      read_(element.children.size(), false) {}

std::string ElementFields::PathOf(std::string_view name) const {
  return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
}

std::vector<const XmlElement*> ElementFields::All(std::string_view name) {
  std::vector<const XmlElement*> found;
  for (size_t i = 0; i < element_.children.size(); ++i) {
    const XmlElement& c = element_.children[i];
    if (c.name == name && IsEdxml(c)) {
      found.push_back(&c);
      read_[i] = true;
    }
  }
  return found;
}

const XmlElement* ElementFields::AnyNamespace(std::string_view name) {
  for (size_t i = 0; i < element_.children.size(); ++i) {
    if (element_.children[i].name == name && !read_[i]) {
      read_[i] = true;
      return &element_.children[i];
    }
  }
  return nullptr;
}

Result<const XmlElement*> ElementFields::Optional(std::string_view name) {
  const std::vector<const XmlElement*> found = All(name);
  if (found.size() > 1) {
    return Refused('M', PathOf(name), "appears more than once");
  }
  return found.empty() ? nullptr : found.front();
}

Result<const XmlElement*> ElementFields::Required(std::string_view name) {
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* e, Optional(name));
  if (e == nullptr) return Refused('N', PathOf(name), "missing");
  return e;
}

Result<std::string> ElementFields::Text(std::string_view name) {
  DOCBUS_ASSIGN_OR_RETURN(const XmlElement* e, Optional(name));
  if (e == nullptr) return std::string();
  if (!e->children.empty()) {
    return Refused('M', PathOf(name), "has child elements, text expected");
  }
  return e->text;
}

Result<std::string> ElementFields::RequiredText(std::string_view name) {
  DOCBUS_ASSIGN_OR_RETURN(std::string text, Text(name));
  if (text.empty()) return Refused('N', PathOf(name), "missing or empty");
  return text;
}

void ElementFields::Finish() {
  if (unmapped_ == nullptr) return;
  for (size_t i = 0; i < element_.children.size(); ++i) {
    if (!read_[i]) unmapped_->push_back(PathOf(element_.children[i].name));
  }
}

}  // namespace docbus::edxml
