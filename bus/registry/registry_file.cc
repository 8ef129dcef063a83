#include "bus/registry/registry_file.h"

#include <toml++/toml.h>

#include <cstdio>
#include <sstream>

#include "bus/core/files.h"
#include "bus/registry/agency_registry.h"

namespace docbus::registry {
namespace {

constexpr uint64_t kMaxRegistryBytes = 64u << 20;

Status Invalid(const std::filesystem::path& file, int line,
               const std::string& why) {
  return Status(Code::kInvalidArgument,
                file.string() + ":" + std::to_string(line) + ": " + why);
}

int LineOf(const toml::node& node) {
  return static_cast<int>(node.source().begin.line);
}

// TOML basic string: quotes, backslashes and control characters escaped;
// UTF-8 text (Vietnamese names) is kept as it is.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += "\"";
  return out;
}

Status ReadEntry(const toml::table& table, const std::filesystem::path& file,
                 RegistryEntry& entry) {
  entry.line = LineOf(table);
  bool seen_id = false, seen_name = false, seen_cert = false, seen_key = false;
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    // A reference the lambdas below may capture (clang 14 does not let
    // them capture a structured binding).
    const toml::node& value = node;
    const int line = LineOf(value);
    auto text = [&](std::string& out, bool& seen) -> Status {
      const auto* s = value.as_string();
      if (s == nullptr) {
        return Invalid(file, line,
                       "agency key '" + std::string(k) + "' must be a string");
      }
      out = s->get();
      seen = true;
      return Status::Ok();
    };
    bool unused = false;
    if (k == "id") {
      DOCBUS_RETURN_IF_ERROR(text(entry.id, seen_id));
    } else if (k == "name") {
      DOCBUS_RETURN_IF_ERROR(text(entry.name, seen_name));
    } else if (k == "parent") {
      DOCBUS_RETURN_IF_ERROR(text(entry.parent, unused));
    } else if (k == "certificate") {
      DOCBUS_RETURN_IF_ERROR(text(entry.certificate, seen_cert));
    } else if (k == "curve_public_key") {
      DOCBUS_RETURN_IF_ERROR(text(entry.curve_public_key, seen_key));
    } else if (k == "revoked" || k == "disabled") {
      const auto* b = value.as_boolean();
      if (b == nullptr) {
        return Invalid(file, line,
                       "agency key '" + std::string(k) +
                           "' must be true or false");
      }
      (k == "revoked" ? entry.revoked : entry.disabled) = b->get();
    } else if (k == "aliases") {
      const auto* list = value.as_array();
      if (list == nullptr) {
        return Invalid(file, line,
                       "agency key 'aliases' must be a list of strings");
      }
      for (const toml::node& alias : *list) {
        const auto* s = alias.as_string();
        if (s == nullptr) {
          return Invalid(file, LineOf(alias),
                         "agency key 'aliases' must be a list of strings");
        }
        entry.aliases.push_back(s->get());
      }
    } else {
      return Invalid(file, line, "unknown agency key '" + std::string(k) + "'");
    }
  }
  if (!seen_id) return Invalid(file, entry.line, "agency without 'id'");
  const std::string who = "agency '" + entry.id + "'";
  if (!seen_name) return Invalid(file, entry.line, who + " without 'name'");
  if (!seen_cert)
    return Invalid(file, entry.line, who + " without 'certificate'");
  if (!seen_key) {
    return Invalid(file, entry.line, who + " without 'curve_public_key'");
  }
  return Status::Ok();
}

}  // namespace

Result<RegistryFile> RegistryFile::Read(const std::filesystem::path& file,
                                        bool missing_ok) {
  auto text = ReadFileLimited(file, kMaxRegistryBytes);
  if (!text.ok()) {
    if (missing_ok && text.status().code() == Code::kNotFound) {
      return RegistryFile(file);
    }
    return text.status();
  }
  return Parse(*text, file);
}

Result<RegistryFile> RegistryFile::Parse(std::string_view text,
                                         const std::filesystem::path& file) {
  RegistryFile out(file);
  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    return Invalid(file, static_cast<int>(e.source().begin.line),
                   std::string(e.description()));
  }
  for (const auto& [key, value] : root) {
    if (key.str() != "agency") {
      return Invalid(file, LineOf(value),
                     "unknown top-level key '" + std::string(key.str()) +
                         "' (only [[agency]] tables are allowed)");
    }
    const toml::array* list = value.as_array();
    if (list == nullptr) {
      return Invalid(file, LineOf(value), "'agency' must be [[agency]] tables");
    }
    for (const toml::node& item : *list) {
      const toml::table* table = item.as_table();
      if (table == nullptr) {
        return Invalid(file, LineOf(item),
                       "'agency' must be [[agency]] tables");
      }
      RegistryEntry entry;
      DOCBUS_RETURN_IF_ERROR(ReadEntry(*table, file, entry));
      out.entries_.push_back(std::move(entry));
    }
  }
  return out;
}

RegistryEntry* RegistryFile::Find(std::string_view id) {
  for (RegistryEntry& e : entries_) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

Status RegistryFile::Add(RegistryEntry entry) {
  if (Find(entry.id) != nullptr) {
    return Status(Code::kAlreadyExists,
                  "agency " + entry.id + " is already in " + path_.string());
  }
  entries_.push_back(std::move(entry));
  return Status::Ok();
}

std::string RegistryFile::Render() const {
  std::ostringstream out;
  out << "# docbus agency registry, written by `docbus pki`; format in "
         "certs/README.md.\n";
  for (const RegistryEntry& e : entries_) {
    out << "\n[[agency]]\n"
        << "id = " << Quote(e.id) << "\n"
        << "name = " << Quote(e.name) << "\n"
        << "parent = " << Quote(e.parent) << "\n"
        << "certificate = " << Quote(e.certificate) << "\n"
        << "curve_public_key = " << Quote(e.curve_public_key) << "\n"
        << "revoked = " << (e.revoked ? "true" : "false") << "\n";
    if (e.disabled) out << "disabled = true\n";
    if (!e.aliases.empty()) {
      out << "aliases = [";
      for (size_t i = 0; i < e.aliases.size(); ++i) {
        out << (i ? ", " : "") << Quote(e.aliases[i]);
      }
      out << "]\n";
    }
  }
  return out.str();
}

Status RegistryFile::Save() const {
  const std::string text = Render();
  // Validate exactly what will be installed, as the daemons will read it.
  auto parsed = Parse(text, path_);
  if (!parsed.ok()) return parsed.status();
  auto loaded = AgencyRegistry::FromEntries(parsed->entries(), path_);
  if (!loaded.ok()) return loaded.status();
  return WriteFileAtomically(path_, text, 0644);
}

}  // namespace docbus::registry
