// The routing ids agents present to the broker. An agent chooses a fresh
// random one for every connection (ZeroMQ sends it inside the CURVE-encrypted
// handshake), so no other agency can know, guess or reuse it; the broker opens
// a session only for a Hello that arrives under an id of this form
// (bus/transport/README.md, "Who gets a frame").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace docbus::transport {

inline constexpr size_t kRoutingIdBytes = 16;

// kRoutingIdBytes from the CSPRNG, the first never 0 (ZeroMQ reserves ids
// that start with a zero byte for the ones it generates itself). Aborts if
// the CSPRNG fails: no connection may go ahead with a predictable id.
std::string NewRoutingId();

// True for an id of that form: exactly kRoutingIdBytes, not starting with 0.
// False for the ids ZeroMQ generates (5 bytes, a zero byte and a counter).
bool IsAgentRoutingId(std::string_view routing_id);

}  // namespace docbus::transport
