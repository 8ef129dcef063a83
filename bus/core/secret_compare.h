// SameSecret: compares a secret a peer sent (a bearer token, an HMAC, a
// system id) with the expected one in a time that depends on the lengths
// only, so response times do not tell how many leading bytes were right.
#pragma once

#include <string_view>

namespace docbus {

bool SameSecret(std::string_view given, std::string_view expected);

}  // namespace docbus
