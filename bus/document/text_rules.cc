#include "bus/document/text_rules.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <cstdint>
#include <vector>

namespace docbus::document {

Status InvalidField(std::string_view field, std::string_view why) {
  std::string message(field);
  message += ": ";
  message += why;
  return Status(Code::kInvalidField, std::move(message));
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

Status CheckText(std::string_view field, std::string_view text,
                 size_t max_bytes, bool multiline) {
  if (text.size() > max_bytes) {
    return InvalidField(field,
                        "longer than " + std::to_string(max_bytes) + " bytes");
  }
  for (unsigned char c : text) {
    const bool line_break = multiline && (c == '\n' || c == '\r' || c == '\t');
    if ((c < 0x20 && !line_break) || c == 0x7f) {
      return InvalidField(field, "contains a control character");
    }
  }
  if (!IsValidUtf8(text)) return InvalidField(field, "not valid UTF-8");
  return Status::Ok();
}

bool IsPlainFileName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '.') return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
  }
  return IsValidUtf8(name);
}

Status CheckAttachmentName(std::string_view field, std::string_view name) {
  if (!IsPlainFileName(name)) {
    return InvalidField(
        field,
        "must be a plain file name of 1 to 255 bytes of UTF-8 (no '/', '\\', "
        "control characters or leading '.')");
  }
  return Status::Ok();
}

Status CheckMediaType(std::string_view field, std::string_view type) {
  const size_t slash = type.find('/');
  if (type.size() > 255 || slash == 0 || slash == std::string_view::npos ||
      slash + 1 == type.size()) {
    return InvalidField(field, "must be a media type such as application/pdf");
  }
  for (unsigned char c : type) {
    if (c < 0x20 || c > 0x7e) {
      return InvalidField(field, "must be printable ASCII");
    }
  }
  return Status::Ok();
}

Status CheckUtf8Fields(const google::protobuf::Message& message,
                       const std::string& prefix) {
  using google::protobuf::FieldDescriptor;
  const auto* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string name =
        prefix.empty() ? f->name() : prefix + "." + f->name();
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      if (f->is_repeated()) {
        const int n = reflection->FieldSize(message, f);
        for (int i = 0; i < n; ++i) {
          if (!IsValidUtf8(reflection->GetRepeatedString(message, f, i))) {
            return InvalidField(name + "[" + std::to_string(i) + "]",
                                "not valid UTF-8");
          }
        }
      } else if (!IsValidUtf8(reflection->GetString(message, f))) {
        return InvalidField(name, "not valid UTF-8");
      }
    } else if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (f->is_repeated()) {
        const int n = reflection->FieldSize(message, f);
        for (int i = 0; i < n; ++i) {
          DOCBUS_RETURN_IF_ERROR(
              CheckUtf8Fields(reflection->GetRepeatedMessage(message, f, i),
                              name + "[" + std::to_string(i) + "]"));
        }
      } else {
        DOCBUS_RETURN_IF_ERROR(
            CheckUtf8Fields(reflection->GetMessage(message, f), name));
      }
    }
  }
  return Status::Ok();
}

}  // namespace docbus::document
