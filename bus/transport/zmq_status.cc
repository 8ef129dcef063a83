#include "bus/transport/zmq_status.h"

#include <cerrno>
#include <string>

namespace docbus::transport::internal {

Status ZmqStatus(std::string_view what, int error_number) {
  Code code = Code::kInternal;
  switch (error_number) {
    case ETERM:
    case ENOTSOCK:
    case EADDRINUSE:
    case EADDRNOTAVAIL:
    case ENODEV:
      code = Code::kUnavailable;
      break;
    case EINVAL:
    case EPROTONOSUPPORT:
    case ENOCOMPATPROTO:
      code = Code::kInvalidArgument;
      break;
    default:
      break;
  }
  return Status(code, std::string(what) + ": " + zmq_strerror(error_number) +
                          " (errno " + std::to_string(error_number) + ")");
}

Status ZmqStatus(std::string_view what, const zmq::error_t& error) {
  return ZmqStatus(what, error.num());
}

}  // namespace docbus::transport::internal
