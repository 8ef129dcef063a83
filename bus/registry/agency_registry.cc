#include "bus/registry/agency_registry.h"

#include <functional>

#include "bus/core/files.h"
#include "bus/core/ids.h"
#include "bus/core/log.h"

namespace docbus::registry {
namespace {

constexpr uint64_t kMaxCertificateBytes = 64 * 1024;
constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    ".-:+=^!/*?&<>()[]{}@%$#";

Status Invalid(const std::filesystem::path& file, int line,
               const std::string& why) {
  return Status(Code::kInvalidArgument,
                file.string() + ":" + std::to_string(line) + ": " + why);
}

}  // namespace

Status ValidateCurvePublicKey(std::string_view key) {
  if (key.size() != 40) {
    return Status(Code::kInvalidField,
                  "CURVE public key must be 40 Z85 characters, got " +
                      std::to_string(key.size()));
  }
  for (char c : key) {
    if (kZ85Alphabet.find(c) == std::string_view::npos) {
      return Status(Code::kInvalidField,
                    "CURVE public key has a character outside Z85");
    }
  }
  return Status::Ok();
}

Result<std::shared_ptr<const AgencyRegistry>> AgencyRegistry::Load(
    const std::filesystem::path& registry_toml) {
  DOCBUS_ASSIGN_OR_RETURN(RegistryFile file, RegistryFile::Read(registry_toml));
  auto registry = FromEntries(file.entries(), registry_toml);
  if (registry.ok()) {
    ComponentLogger("registry")
        ->info("registry loaded file={} agencies={}", registry_toml.string(),
               (*registry)->agencies().size());
  }
  return registry;
}

Result<std::shared_ptr<const AgencyRegistry>> AgencyRegistry::FromEntries(
    const std::vector<RegistryEntry>& entries,
    const std::filesystem::path& registry_toml) {
  const std::filesystem::path base =
      std::filesystem::absolute(registry_toml).parent_path();
  std::vector<Agency> agencies;
  std::vector<int> lines;
  agencies.reserve(entries.size());
  for (const RegistryEntry& e : entries) {
    const std::string who = "agency " + e.id + ": ";
    if (e.certificate.empty()) {
      return Invalid(registry_toml, e.line, who + "empty certificate path");
    }
    std::filesystem::path cert_path(e.certificate);
    if (cert_path.is_relative()) cert_path = base / cert_path;
    auto pem = ReadFileLimited(cert_path, kMaxCertificateBytes);
    if (!pem.ok()) {
      return Invalid(registry_toml, e.line,
                     who + "certificate: " + pem.status().message());
    }
    agencies.push_back(Agency{e.id, e.name, e.parent, std::move(*pem),
                              e.curve_public_key, e.revoked,
                              cert_path.lexically_normal(), e.aliases,
                              e.disabled});
    lines.push_back(e.line);
  }
  return Index(std::move(agencies), [&](size_t i, const std::string& why) {
    return Invalid(registry_toml, lines[i], why);
  });
}

Result<std::shared_ptr<const AgencyRegistry>> AgencyRegistry::FromAgencies(
    std::vector<Agency> agencies, std::string_view origin) {
  return Index(std::move(agencies), [&](size_t i, const std::string& why) {
    return Status(Code::kInvalidArgument, std::string(origin) + ": agency #" +
                                              std::to_string(i + 1) + ": " +
                                              why);
  });
}

Result<std::shared_ptr<const AgencyRegistry>> AgencyRegistry::Index(
    std::vector<Agency> agencies,
    const std::function<Status(size_t, const std::string&)>& invalid) {
  std::shared_ptr<AgencyRegistry> registry(new AgencyRegistry());
  registry->agencies_.reserve(agencies.size());
  for (size_t i = 0; i < agencies.size(); ++i) {
    Agency& e = agencies[i];
    if (Status s = ValidateAgencyId(e.id); !s.ok()) {
      return invalid(i, s.message());
    }
    const std::string who = "agency " + e.id + ": ";
    if (!e.parent.empty()) {
      if (Status s = ValidateAgencyId(e.parent); !s.ok()) {
        return invalid(i, who + "parent: " + s.message());
      }
    }
    if (e.name.empty()) return invalid(i, who + "empty name");
    if (Status s = ValidateCurvePublicKey(e.curve_public_key); !s.ok()) {
      return invalid(i, who + s.message());
    }
    if (e.certificate_pem.size() > kMaxCertificateBytes) {
      return invalid(i, who + "certificate larger than 64 KiB");
    }
    const std::string where = e.certificate_path.empty()
                                  ? std::string("certificate")
                                  : e.certificate_path.string();
    auto cn = CertificateCommonName(e.certificate_pem);
    if (!cn.ok()) return invalid(i, who + where + ": " + cn.status().message());
    if (*cn != e.id) {
      return invalid(i, who + where + " has CN '" + *cn +
                            "', not the agency id");
    }
    const size_t index = registry->agencies_.size();
    if (!registry->by_id_.emplace(e.id, index).second) {
      return invalid(i, who + "duplicate agency id");
    }
    for (const std::string& alias : e.aliases) {
      if (Status s = ValidateAgencyAlias(alias); !s.ok()) {
        return invalid(i, who + "alias: " + s.message());
      }
      if (!registry->by_alias_.emplace(alias, index).second) {
        return invalid(i,
                       who + "alias '" + alias + "' names another agency too");
      }
    }
    if (!registry->by_curve_key_.emplace(e.curve_public_key, index).second) {
      return invalid(i, who + "CURVE key already bound to another agency");
    }
    registry->agencies_.push_back(std::move(e));
  }
  // An alias may not be an id: each name means one agency.
  for (const auto& [alias, index] : registry->by_alias_) {
    if (registry->by_id_.count(alias) != 0) {
      return invalid(index, "agency " + registry->agencies_[index].id +
                                ": alias '" + alias +
                                "' is another agency's id");
    }
  }
  return std::shared_ptr<const AgencyRegistry>(std::move(registry));
}

const Agency* AgencyRegistry::Find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &agencies_[it->second];
}

const Agency* AgencyRegistry::Resolve(std::string_view id_or_alias) const {
  if (const Agency* a = Find(id_or_alias)) return a;
  auto it = by_alias_.find(id_or_alias);
  return it == by_alias_.end() ? nullptr : &agencies_[it->second];
}

Status ValidateAgencyAlias(std::string_view alias) {
  if (alias.empty() || alias.size() > 64) {
    return Status(
        Code::kInvalidArgument,
        "an alias is 1 to 64 characters, not " + std::to_string(alias.size()));
  }
  for (char c : alias) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok) {
      return Status(Code::kInvalidArgument,
                    "alias '" + std::string(alias) +
                        "': only letters, digits, '.', '-' and '_'");
    }
  }
  return Status::Ok();
}

const Agency* AgencyRegistry::FindByCurveKey(std::string_view z85) const {
  auto it = by_curve_key_.find(z85);
  return it == by_curve_key_.end() ? nullptr : &agencies_[it->second];
}

}  // namespace docbus::registry
