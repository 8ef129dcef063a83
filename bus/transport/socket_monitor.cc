#include "bus/transport/socket_monitor.h"

#include <zmq.h>

#include <cstring>
#include <random>
#include <string>

#include "bus/transport/zmq_status.h"

namespace docbus::transport {

Result<SocketMonitor> SocketMonitor::Start(zmq::context_t& context,
                                           zmq::socket_t& watched, int events,
                                           std::string_view name) {
  std::random_device random;
  const std::string endpoint = "inproc://docbus." + std::string(name) +
                               ".monitor." + std::to_string(random()) + "." +
                               std::to_string(random());
  if (zmq_socket_monitor(watched.handle(), endpoint.c_str(), events) != 0) {
    return internal::ZmqStatus(
        "starting the " + std::string(name) + " socket monitor", zmq_errno());
  }
  SocketMonitor monitor;
  monitor.watched_ = watched.handle();
  try {
    monitor.pair_ = zmq::socket_t(context, zmq::socket_type::pair);
    monitor.pair_.set(zmq::sockopt::linger, 0);
    monitor.pair_.connect(endpoint);
  } catch (const zmq::error_t& error) {
    return internal::ZmqStatus("connecting to the socket monitor", error);
  }
  return monitor;
}

void SocketMonitor::Stop() {
  if (watched_ != nullptr) zmq_socket_monitor(watched_, nullptr, 0);
  watched_ = nullptr;
  pair_.close();
}

std::optional<SocketMonitor::Event> SocketMonitor::Next() {
  if (pair_.handle() == nullptr) return std::nullopt;
  try {
    zmq::message_t first;
    if (!pair_.recv(first, zmq::recv_flags::dontwait)) return std::nullopt;
    Event event;
    if (first.size() >= 6) {
      std::memcpy(&event.id, first.data(), sizeof event.id);
      std::memcpy(&event.value, static_cast<const char*>(first.data()) + 2,
                  sizeof event.value);
    }
    // Second frame: the endpoint. Drain every remaining frame.
    zmq::message_t rest;
    bool more = first.more();
    while (more && pair_.recv(rest, zmq::recv_flags::dontwait)) {
      more = rest.more();
    }
    return event;
  } catch (const zmq::error_t&) {
    return std::nullopt;  // the context is going away
  }
}

}  // namespace docbus::transport
