// Waiting for input on several transport sockets at once (zmq::poll; the
// DRAFT zmq::poller_t does not link against Debian's libzmq).
//
// Thread-safety: the sockets must belong to the calling thread.
#pragma once

#include <chrono>
#include <span>
#include <vector>
#include <zmq.hpp>

#include "bus/core/status.h"

namespace docbus::transport {

// Waits up to `timeout` (0 = just check; never pass a negative value) until
// at least one socket has a message to read. Success: one flag per socket, in
// order. A signal (EINTR) gives all false, not an error; kUnavailable if the
// context was shut down, kInternal on other libzmq errors.
Result<std::vector<bool>> PollReadable(std::span<zmq::socket_t* const> sockets,
                                       std::chrono::milliseconds timeout);

}  // namespace docbus::transport
