// Peer: where the broker sends to -- one agent connection, named by the
// routing id the agent chose and the connection the broker saw it on. A
// routing id alone is not enough: once a connection ends, ZeroMQ lets any
// later connection present the same routing id, so every send also names
// the connection, and BrokerSocket refuses a send to one that has ended
// (bus/transport/README.md, "Who gets a frame").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace docbus::transport {

// Identifies one accepted connection for as long as the broker socket lives;
// never reused. kNoConnection is never open.
using ConnectionId = uint64_t;
inline constexpr ConnectionId kNoConnection = ~uint64_t{0};

struct Peer {
  std::string routing_id;  // opaque, chosen by the agent (routing_id.h)
  ConnectionId connection = kNoConnection;
};

}  // namespace docbus::transport
