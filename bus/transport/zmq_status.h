// Internal to docbus_transport: turns libzmq errors into a Status that keeps
// libzmq's own error text. Not for use outside this folder.
#pragma once

#include <string_view>
#include <zmq.hpp>

#include "bus/core/status.h"

namespace docbus::transport::internal {

// kUnavailable for ETERM / ENOTSOCK / EADDRINUSE / EADDRNOTAVAIL,
// kInvalidArgument for EINVAL / EPROTONOSUPPORT, kInternal otherwise.
// Message: "<what>: <libzmq text> (errno N)".
Status ZmqStatus(std::string_view what, int error_number);
Status ZmqStatus(std::string_view what, const zmq::error_t& error);

}  // namespace docbus::transport::internal
