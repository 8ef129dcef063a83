#include "bus/transport/poll.h"

#include <cerrno>

#include "bus/transport/zmq_status.h"

namespace docbus::transport {

Result<std::vector<bool>> PollReadable(std::span<zmq::socket_t* const> sockets,
                                       std::chrono::milliseconds timeout) {
  std::vector<zmq::pollitem_t> items;
  items.reserve(sockets.size());
  for (zmq::socket_t* socket : sockets) {
    items.push_back(zmq::pollitem_t{socket->handle(), 0, ZMQ_POLLIN, 0});
  }
  std::vector<bool> readable(sockets.size(), false);
  try {
    zmq::poll(items,
              timeout.count() < 0 ? std::chrono::milliseconds(0) : timeout);
  } catch (const zmq::error_t& error) {
    if (error.num() == EINTR) return readable;
    return internal::ZmqStatus("zmq_poll", error);
  }
  for (size_t i = 0; i < items.size(); ++i) {
    readable[i] = (items[i].revents & ZMQ_POLLIN) != 0;
  }
  return readable;
}

}  // namespace docbus::transport
