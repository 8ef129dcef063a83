// ConnectionTracker: which of the broker socket's connections are still
// open, from the socket monitor's ACCEPTED and DISCONNECTED events (each
// names the connection's file descriptor) and the descriptor each message
// arrived on (ZMQ_SRCFD). Descriptors are reused by the kernel, so a
// connection is named by (descriptor, generation): the generation counts the
// DISCONNECTED events seen on that descriptor, so no ConnectionId is ever
// given to two connections.
//
// Attribution is conservative. Monitor events and messages travel on
// different queues, so when a message is read the events about its
// descriptor may lag. A message read while the descriptor's newest
// connection has not been seen accepted (its predecessor's DISCONNECTED is
// in, its own ACCEPTED not yet) is attributed to no open connection: it can
// only be from a connection already gone. (With one I/O thread, as the
// broker's context has, libzmq emits ACCEPTED before the same thread runs
// the new connection's handshake, and DISCONNECTED before it closes the
// descriptor; with more, a Hello could overtake its ACCEPTED and go
// unanswered until the agent says Hello again.) A message can therefore
// never be attributed to a connection later than its own.
//
// Thread-safety: none; owned by the BrokerSocket's thread.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "bus/transport/peer.h"

namespace docbus::transport {

class ConnectionTracker {
 public:
  void OnAccepted(int fd);
  void OnDisconnected(int fd);

  // The connection a message read now from `fd` belongs to, or kNoConnection
  // when that cannot be an open one (see above).
  ConnectionId Attribute(int fd) const;

  // True while the connection has not been seen to end.
  bool IsOpen(ConnectionId connection) const;

 private:
  struct Descriptor {
    uint32_t generation = 0;  // DISCONNECTED events seen
    int64_t accepted = -1;    // generation last seen ACCEPTED
  };
  std::unordered_map<int, Descriptor> descriptors_;
};

}  // namespace docbus::transport
