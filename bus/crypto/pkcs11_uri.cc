#include "bus/crypto/pkcs11_uri.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>

namespace docbus::crypto {
namespace {

constexpr size_t kMaxUriBytes = 4096;
constexpr size_t kMaxPinBytes = 256;

Status BadUri(std::string_view why) {
  return Status(Code::kInvalidArgument, "PKCS#11 URI: " + std::string(why));
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return BadUri("a '%' escape is cut short");
    const int hi = HexDigit(text[i + 1]);
    const int lo = HexDigit(text[i + 2]);
    if (hi < 0 || lo < 0) return BadUri("a '%' escape is not two hex digits");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// Calls `take(name, value)` for each `separator`-separated name=value.
template <typename Take>
Status ForEachAttribute(std::string_view part, char separator, Take take) {
  while (!part.empty()) {
    const size_t end = part.find(separator);
    std::string_view attribute = part.substr(0, end);
    part = end == std::string_view::npos ? std::string_view()
                                         : part.substr(end + 1);
    if (attribute.empty()) continue;
    const size_t eq = attribute.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return BadUri("an attribute without a name=value form");
    }
    DOCBUS_ASSIGN_OR_RETURN(std::string value,
                            PercentDecode(attribute.substr(eq + 1)));
    DOCBUS_RETURN_IF_ERROR(take(attribute.substr(0, eq), std::move(value)));
  }
  return Status::Ok();
}

Status SetOnce(std::string& field, std::string value, std::string_view name) {
  if (!field.empty()) {
    return BadUri("attribute '" + std::string(name) + "' given twice");
  }
  if (value.empty()) {
    return BadUri("attribute '" + std::string(name) + "' is empty");
  }
  field = std::move(value);
  return Status::Ok();
}

}  // namespace

bool IsPkcs11Uri(std::string_view key_ref) {
  return key_ref.substr(0, kPkcs11Scheme.size()) == kPkcs11Scheme;
}

std::string RedactKeyReference(std::string_view key_ref) {
  if (!IsPkcs11Uri(key_ref)) return std::string(key_ref);
  return std::string(key_ref.substr(0, key_ref.find('?')));
}

Result<Pkcs11Uri> Pkcs11Uri::Parse(std::string_view uri) {
  if (!IsPkcs11Uri(uri)) return BadUri("does not start with pkcs11:");
  if (uri.size() > kMaxUriBytes) return BadUri("longer than 4096 bytes");
  const std::string_view rest = uri.substr(kPkcs11Scheme.size());
  const size_t question = rest.find('?');
  const std::string_view path = rest.substr(0, question);
  const std::string_view query = question == std::string_view::npos
                                     ? std::string_view()
                                     : rest.substr(question + 1);
  Pkcs11Uri out;
  std::string type;
  DOCBUS_RETURN_IF_ERROR(ForEachAttribute(
      path, ';', [&](std::string_view name, std::string value) -> Status {
        if (name == "token") return SetOnce(out.token, std::move(value), name);
        if (name == "object")
          return SetOnce(out.object, std::move(value), name);
        if (name == "id") return SetOnce(out.id, std::move(value), name);
        if (name == "type") return SetOnce(type, std::move(value), name);
        if (name == "manufacturer")
          return SetOnce(out.manufacturer, std::move(value), name);
        if (name == "model") return SetOnce(out.model, std::move(value), name);
        if (name == "serial")
          return SetOnce(out.serial, std::move(value), name);
        return BadUri("unknown path attribute '" +
                      std::string(name.substr(0, 32)) + "'");
      }));
  DOCBUS_RETURN_IF_ERROR(ForEachAttribute(
      query, '&', [&](std::string_view name, std::string value) -> Status {
        if (name == "pin-source") {
          if (value.rfind("file:", 0) == 0) value.erase(0, 5);
          return SetOnce(out.pin_source, std::move(value), name);
        }
        if (name == "pin-value")
          return SetOnce(out.pin_value, std::move(value), name);
        if (name == "module-path")
          return SetOnce(out.module_path, std::move(value), name);
        return BadUri(
            "unknown query attribute (names: pin-source, "
            "pin-value, module-path)");
      }));
  if (!type.empty() && type != "private") {
    return BadUri("type must be 'private' (a signing key)");
  }
  if (!out.pin_source.empty() && !out.pin_value.empty()) {
    return BadUri("give pin-source or pin-value, not both");
  }
  if (out.token.empty() && out.serial.empty()) {
    return BadUri("names no token (token= or serial=)");
  }
  if (out.object.empty() && out.id.empty()) {
    return BadUri("names no key (object= or id=)");
  }
  return out;
}

Result<std::string> Pkcs11Uri::Pin() const {
  if (pin_source.empty()) return pin_value;
  const std::string& file = pin_source;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return Status(Code::kInvalidArgument,
                  "PKCS#11 PIN file " + file + " cannot be opened");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      (st.st_mode & 077) != 0) {
    ::close(fd);
    return Status(Code::kInvalidArgument,
                  "PKCS#11 PIN file " + file +
                      " must be a regular file readable by its owner only "
                      "(chmod 600)");
  }
  char buffer[kMaxPinBytes + 2];
  const ssize_t got = ::read(fd, buffer, sizeof(buffer));
  ::close(fd);
  if (got < 0 || static_cast<size_t>(got) > kMaxPinBytes) {
    OPENSSL_cleanse(buffer, sizeof(buffer));
    return Status(Code::kInvalidArgument,
                  "PKCS#11 PIN file " + file + " is unreadable or too long");
  }
  std::string pin(buffer, static_cast<size_t>(got));
  OPENSSL_cleanse(buffer, sizeof(buffer));
  pin = pin.substr(0, pin.find_first_of("\r\n"));
  if (pin.empty()) {
    return Status(Code::kInvalidArgument,
                  "PKCS#11 PIN file " + file + " is empty");
  }
  return pin;
}

std::string Pkcs11Uri::Redacted() const {
  std::string out(kPkcs11Scheme);
  auto add = [&out](std::string_view name, const std::string& value, bool hex) {
    if (value.empty()) return;
    if (out.size() > kPkcs11Scheme.size()) out += ';';
    out += name;
    out += '=';
    for (unsigned char c : value) {
      const bool plain = !hex && (std::isalnum(c) || c == '-' || c == '.' ||
                                  c == '_' || c == '~');
      if (plain) {
        out += static_cast<char>(c);
      } else {
        char escaped[4];
        std::snprintf(escaped, sizeof(escaped), "%%%02X", c);
        out += escaped;
      }
    }
  };
  add("token", token, false);
  add("manufacturer", manufacturer, false);
  add("model", model, false);
  add("serial", serial, false);
  add("object", object, false);
  add("id", id, true);
  return out;
}

}  // namespace docbus::crypto
