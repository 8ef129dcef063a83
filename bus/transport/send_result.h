// Outcome of a non-blocking send on a transport socket.
#pragma once

namespace docbus::transport {

enum class SendResult {
  kSent,         // handed to libzmq's queue for the peer (not yet delivered)
  kWouldBlock,   // the peer's queue is full, or (agent) no connection yet
  kUnreachable,  // unknown / departed routing id, or the socket is unusable
};

}  // namespace docbus::transport
