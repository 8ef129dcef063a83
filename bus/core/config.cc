#include "bus/core/config.h"

#include <toml++/toml.h>

#include <sstream>

#include "bus/core/files.h"

namespace docbus {

struct Config::Impl {
  toml::table table;
  std::filesystem::path base_dir;
  std::string source;
  std::set<std::string, std::less<>> read;
  std::vector<std::string> errors;

  const toml::node* Find(std::string_view key) {
    read.emplace(key);
    return table.at_path(key).node();
  }
  void Error(std::string_view key, std::string_view why) {
    errors.push_back(source + ": key '" + std::string(key) +
                     "': " + std::string(why));
  }
  void CollectUnread(const toml::table& t, const std::string& prefix,
                     std::vector<std::string>& out) const {
    for (const auto& [k, v] : t) {
      const std::string key = prefix.empty()
                                  ? std::string(k.str())
                                  : prefix + "." + std::string(k.str());
      if (const toml::table* sub = v.as_table()) {
        CollectUnread(*sub, key, out);
      } else if (const toml::array* tables = v.as_array();
                 tables != nullptr && read.contains(key) &&
                 tables->is_array_of_tables()) {
        // Sections read through TableCount: their own keys are checked too.
        for (size_t i = 0; i < tables->size(); ++i) {
          CollectUnread(*tables->at(i).as_table(),
                        key + "[" + std::to_string(i) + "]", out);
        }
      } else if (!read.contains(key)) {
        out.push_back(key);
      }
    }
  }
};

Config::Config(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Config::Config(Config&&) noexcept = default;
Config& Config::operator=(Config&&) noexcept = default;
Config::~Config() = default;

Result<Config> Config::Parse(std::string_view text,
                             const std::filesystem::path& base_dir,
                             std::string source_name) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->table = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source_name << ":" << e.source().begin.line << ": "
        << e.description();
    return Status(Code::kInvalidArgument, msg.str());
  }
  impl->base_dir = base_dir;
  impl->source = std::move(source_name);
  return Config(std::move(impl));
}

Result<Config> Config::Load(const std::filesystem::path& file) {
  auto text = ReadFileLimited(file, 1 << 20);
  if (!text.ok()) {
    return text.status().Prefixed("config");
  }
  return Parse(*text, std::filesystem::absolute(file).parent_path(),
               file.string());
}

bool Config::Has(std::string_view key) const {
  return static_cast<bool>(impl_->table.at_path(key));
}

int64_t Config::TableCount(std::string_view key) {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return 0;
  const toml::array* tables = n->as_array();
  if (tables == nullptr || !tables->is_array_of_tables()) {
    impl_->Error(key, "must be sections [[" + std::string(key) + "]]");
    return 0;
  }
  return static_cast<int64_t>(tables->size());
}

std::string Config::String(std::string_view key, std::string_view fallback) {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return std::string(fallback);
  if (const auto* s = n->as_string()) return s->get();
  impl_->Error(key, "must be a string");
  return std::string(fallback);
}

std::string Config::RequiredString(std::string_view key) {
  if (!Has(key)) {
    impl_->read.emplace(key);
    impl_->Error(key, "is required");
    return {};
  }
  return String(key, "");
}

int64_t Config::Int(std::string_view key, int64_t fallback, int64_t min,
                    int64_t max) {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return fallback;
  const auto* i = n->as_integer();
  if (i == nullptr) {
    impl_->Error(key, "must be an integer");
    return fallback;
  }
  if (i->get() < min || i->get() > max) {
    impl_->Error(key, "must be between " + std::to_string(min) + " and " +
                          std::to_string(max) + ", got " +
                          std::to_string(i->get()));
    return fallback;
  }
  return i->get();
}

bool Config::Bool(std::string_view key, bool fallback) {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return fallback;
  if (const auto* b = n->as_boolean()) return b->get();
  impl_->Error(key, "must be true or false");
  return fallback;
}

std::filesystem::path Config::Path(std::string_view key,
                                   const std::filesystem::path& fallback) {
  std::filesystem::path p = String(key, fallback.string());
  if (p.empty() || p.is_absolute()) return p;
  return impl_->base_dir / p;
}

std::filesystem::path Config::RequiredPath(std::string_view key) {
  if (!Has(key)) {
    impl_->read.emplace(key);
    impl_->Error(key, "is required");
    return {};
  }
  return Path(key, "");
}

Status Config::Finish() const {
  if (!impl_->errors.empty()) {
    return Status(Code::kInvalidArgument, impl_->errors.front());
  }
  std::vector<std::string> unread;
  impl_->CollectUnread(impl_->table, "", unread);
  if (!unread.empty()) {
    return Status(Code::kInvalidArgument, impl_->source + ": key '" +
                                              unread.front() +
                                              "': unknown key (misspelt?)");
  }
  return Status::Ok();
}

std::vector<std::string> SplitCommaList(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view one = list.substr(start, comma - start);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    out.emplace_back(one);
    start = comma + 1;
  }
  return out;
}

}  // namespace docbus
