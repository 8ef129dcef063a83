#include "tests/support/json_schema.h"

namespace docbus::testing {
namespace {

constexpr char kRefPrefix[] = "#/components/schemas/";

bool HasType(const nlohmann::json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  return false;  // an unknown type name matches nothing: the schema is wrong
}

}  // namespace

std::string SchemaMismatch(const nlohmann::json& schema,
                           const nlohmann::json& value,
                           const nlohmann::json& root,
                           const std::string& path) {
  if (!schema.is_object()) return path + ": the schema is not an object";
  if (schema.contains("$ref")) {
    const std::string ref = schema["$ref"].get<std::string>();
    if (ref.rfind(kRefPrefix, 0) != 0)
      return path + ": unsupported $ref " + ref;
    const std::string name = ref.substr(sizeof(kRefPrefix) - 1);
    const auto& schemas = root["components"]["schemas"];
    if (!schemas.contains(name)) return path + ": no schema " + name;
    return SchemaMismatch(schemas[name], value, root, path);
  }
  if (schema.contains("type")) {
    const std::string type = schema["type"].get<std::string>();
    if (!HasType(value, type)) return path + ": not " + type;
  }
  if (schema.contains("enum")) {
    bool listed = false;
    for (const auto& e : schema["enum"]) listed = listed || e == value;
    if (!listed) return path + ": " + value.dump() + " is not in the enum";
  }
  if (value.is_object()) {
    if (schema.contains("required")) {
      for (const auto& key : schema["required"]) {
        if (!value.contains(key.get<std::string>()))
          return path + ": missing " + key.get<std::string>();
      }
    }
    if (schema.contains("properties")) {
      for (const auto& [key, sub] : schema["properties"].items()) {
        if (!value.contains(key)) continue;
        std::string m = SchemaMismatch(sub, value[key], root, path + "." + key);
        if (!m.empty()) return m;
      }
    }
  }
  if (value.is_array() && schema.contains("items")) {
    for (size_t i = 0; i < value.size(); ++i) {
      std::string m = SchemaMismatch(schema["items"], value[i], root,
                                     path + "[" + std::to_string(i) + "]");
      if (!m.empty()) return m;
    }
  }
  return "";
}

}  // namespace docbus::testing
