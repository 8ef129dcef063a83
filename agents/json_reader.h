// JsonObjectReader: strict, path-aware reading of one JSON object for the
// agent's JSON codec (json_codec.h). Each getter names the field by its JSON
// path in errors ("attachments[1].name: must be a string"), and Finish()
// refuses keys nobody asked for (usually typos), so bad input is refused with
// kInvalidField before anything reaches the agent. Also the guarded parse
// that turns nlohmann-json's exceptions into kMalformed.
//
// Thread-safety: a reader is used by one thread; the free functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus::agent {

// kInvalidField "<path>: <why>".
Status InvalidField(const std::string& path, const std::string& why);
// "a.b" / "a[3]".
std::string JsonPath(const std::string& path, std::string_view key);
std::string JsonIndex(const std::string& path, size_t index);

// Parses JSON text; kMalformed (with the parser's message) when it is not
// JSON or nests arrays/objects deeper than max_nesting. Never throws.
Result<nlohmann::json> ParseJson(std::string_view text, int max_nesting);

// kInvalidField unless `value` is an array of at most max_items.
Status CheckJsonArray(const nlohmann::json& value, const std::string& path,
                      size_t max_items);

// document::CheckText (bus/document/text_rules.h) with the JSON path: at most
// max_bytes of UTF-8 with no control characters (except tab and line breaks
// when multiline).
Status CheckJsonText(const std::string& path, std::string_view text,
                     size_t max_bytes, bool multiline);

class JsonObjectReader {
 public:
  // `value` must outlive the reader; `path` is "" for the top level.
  JsonObjectReader(const nlohmann::json& value, std::string path)
      : value_(value), path_(std::move(path)) {}

  // kInvalidField unless the value is an object.
  Status Start() const;
  // The member when present and not null, else nullptr; marks it as known.
  const nlohmann::json* Find(std::string_view key);
  // A string member into *out (left alone when absent and not required).
  Status Text(std::string_view key, size_t max_bytes, bool required,
              bool multiline, std::string* out);
  // An integer member in [min, max] into *out (left alone when absent).
  Status Int(std::string_view key, int64_t min, int64_t max, bool required,
             int64_t* out);
  // kInvalidField naming the first member not in `keys`; lets a typo be
  // reported as such before "is required" for the key it meant.
  Status OnlyKeys(std::initializer_list<std::string_view> keys);
  // kInvalidField naming the first member no getter asked for.
  Status Finish() const;

  const std::string& path() const { return path_; }

 private:
  const nlohmann::json& value_;
  std::string path_;
  std::set<std::string, std::less<>> seen_;
};

}  // namespace docbus::agent
