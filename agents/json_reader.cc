#include "agents/json_reader.h"

#include <algorithm>
#include <utility>

#include "bus/document/text_rules.h"

namespace docbus::agent {
namespace {

// The deepest nesting of arrays and objects, counted on the raw text so a
// hostile body cannot make the parser or the value's destructor recurse.
int NestingDepth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

Status InvalidField(const std::string& path, const std::string& why) {
  return Status(Code::kInvalidField, path + ": " + why);
}

std::string JsonPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string JsonIndex(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

Result<nlohmann::json> ParseJson(std::string_view text, int max_nesting) {
  if (NestingDepth(text) > max_nesting) {
    return Status(Code::kMalformed,
                  "JSON nested deeper than " + std::to_string(max_nesting));
  }
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    // The parser quotes the text it choked on ("last read: ..."); that may
    // be document content, which never goes to logs.
    std::string why = e.what();
    why = why.substr(0, why.find("; last read:"));
    return Status(Code::kMalformed, "not valid JSON: " + why);
  }
}

Status CheckJsonArray(const nlohmann::json& value, const std::string& path,
                      size_t max_items) {
  if (!value.is_array()) return InvalidField(path, "must be an array");
  if (value.size() > max_items) {
    return InvalidField(
        path, "has more than " + std::to_string(max_items) + " items");
  }
  return Status::Ok();
}

Status CheckJsonText(const std::string& path, std::string_view text,
                     size_t max_bytes, bool multiline) {
  return document::CheckText(path, text, max_bytes, multiline);
}

Status JsonObjectReader::Start() const {
  if (value_.is_object()) return Status::Ok();
  return InvalidField(path_.empty() ? "document" : path_, "must be an object");
}

const nlohmann::json* JsonObjectReader::Find(std::string_view key) {
  seen_.emplace(key);
  auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) return nullptr;
  return &*it;
}

Status JsonObjectReader::Text(std::string_view key, size_t max_bytes,
                              bool required, bool multiline, std::string* out) {
  const nlohmann::json* v = Find(key);
  const std::string path = JsonPath(path_, key);
  if (v == nullptr) {
    return required ? InvalidField(path, "is required") : Status::Ok();
  }
  if (!v->is_string()) return InvalidField(path, "must be a string");
  const auto& s = v->get_ref<const std::string&>();
  DOCBUS_RETURN_IF_ERROR(CheckJsonText(path, s, max_bytes, multiline));
  if (required && s.empty()) return InvalidField(path, "must not be empty");
  *out = s;
  return Status::Ok();
}

Status JsonObjectReader::Int(std::string_view key, int64_t min, int64_t max,
                             bool required, int64_t* out) {
  const nlohmann::json* v = Find(key);
  const std::string path = JsonPath(path_, key);
  if (v == nullptr) {
    return required ? InvalidField(path, "is required") : Status::Ok();
  }
  if (!v->is_number_integer()) return InvalidField(path, "must be an integer");
  const Status out_of_range =
      InvalidField(path, "must be between " + std::to_string(min) + " and " +
                             std::to_string(max));
  if (v->is_number_unsigned()) {
    if (v->get<uint64_t>() > static_cast<uint64_t>(max)) return out_of_range;
  }
  const int64_t n = v->is_number_unsigned()
                        ? static_cast<int64_t>(v->get<uint64_t>())
                        : v->get<int64_t>();
  if (n < min || n > max) return out_of_range;
  *out = n;
  return Status::Ok();
}

Status JsonObjectReader::OnlyKeys(
    std::initializer_list<std::string_view> keys) {
  if (!value_.is_object()) return Start();
  for (const auto& item : value_.items()) {
    if (std::find(keys.begin(), keys.end(), item.key()) == keys.end()) {
      return InvalidField(JsonPath(path_, item.key()), "unknown field");
    }
  }
  return Status::Ok();
}

Status JsonObjectReader::Finish() const {
  for (const auto& item : value_.items()) {
    if (!seen_.contains(item.key())) {
      return InvalidField(JsonPath(path_, item.key()), "unknown field");
    }
  }
  return Status::Ok();
}

}  // namespace docbus::agent
