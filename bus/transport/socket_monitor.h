// SocketMonitor: libzmq's socket monitor (zmq_socket_monitor) for one socket,
// read without blocking: which connections were accepted, made, refused or
// ended. Both ends of the transport follow their connections through it.
//
// Thread-safety: none; used by the thread that owns the watched socket.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <zmq.hpp>

#include "bus/core/status.h"

namespace docbus::transport {

class SocketMonitor {
 public:
  struct Event {
    uint16_t id = 0;     // ZMQ_EVENT_*
    uint32_t value = 0;  // the file descriptor, for most events
  };

  // Starts monitoring `events` of `watched` (before it binds or connects, so
  // that no event is missed). kInternal on libzmq errors. `name` only names
  // the inproc endpoint.
  static Result<SocketMonitor> Start(zmq::context_t& context,
                                     zmq::socket_t& watched, int events,
                                     std::string_view name);
  SocketMonitor() = default;
  SocketMonitor(SocketMonitor&&) = default;
  SocketMonitor& operator=(SocketMonitor&&) = default;
  // Stops monitoring the watched socket, which must still be open.
  void Stop();

  // The next event, or nullopt when none is waiting (or the context is
  // going away).
  std::optional<Event> Next();

  zmq::socket_t& socket() { return pair_; }

 private:
  void* watched_ = nullptr;
  zmq::socket_t pair_;  // PAIR connected to the monitor endpoint
};

}  // namespace docbus::transport
