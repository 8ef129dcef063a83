// The subset of JSON Schema that agents/openapi.json uses, as a validator
// for the tests that check answers against a description: `type` (object,
// array, string, integer, number, boolean), `required`, `properties`,
// `items`, `enum` and `$ref` to "#/components/schemas/<name>". Any other
// keyword is ignored (and the description keeps to these). Not a library:
// written for the tests; nothing here is used in production.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace docbus::testing {

// "" when `value` matches `schema`; otherwise the first mismatch, starting
// with the JSON path of the value (e.g. "$.documents[0].seq: not an
// integer"). `root` resolves $ref (the whole OpenAPI document).
std::string SchemaMismatch(const nlohmann::json& schema,
                           const nlohmann::json& value,
                           const nlohmann::json& root,
                           const std::string& path = "$");

}  // namespace docbus::testing
