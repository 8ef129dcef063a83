#include "bus/transport/broker_socket.h"

#include <zmq.h>

#include <cerrno>

#include "bus/core/log.h"
#include "bus/transport/curve_keys.h"
#include "bus/transport/zmq_status.h"

// DRAFT in Debian's zmq.h, but honoured by Debian's libzmq 4.3.4: refuse
// clients when no ZAP handler answers instead of accepting any key.
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

namespace docbus::transport {
namespace {

constexpr char kZapDomain[] = "docbus";
constexpr int kMonitoredEvents = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED;

std::shared_ptr<spdlog::logger> Logger() {
  return ComponentLogger("transport");
}

}  // namespace

Result<std::unique_ptr<BrokerSocket>> BrokerSocket::Bind(
    zmq::context_t& context, const BrokerSocketOptions& options) {
  if (!IsZ85Key(options.curve_secret_z85)) {
    return Status(Code::kInvalidArgument,
                  "broker CURVE secret key is not a 40-character Z85 key");
  }
  if (options.max_message_bytes <= 0) {
    return Status(Code::kInvalidArgument, "max_message_bytes must be > 0");
  }
  std::unique_ptr<BrokerSocket> broker(new BrokerSocket());
  try {
    broker->socket_ = zmq::socket_t(context, zmq::socket_type::router);
    zmq::socket_t& socket = broker->socket_;
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndtimeo, 0);
    socket.set(zmq::sockopt::router_mandatory, 1);
    socket.set(zmq::sockopt::router_handover, 0);
    socket.set(zmq::sockopt::maxmsgsize, options.max_message_bytes);
    socket.set(zmq::sockopt::sndhwm, options.sndhwm);
    socket.set(zmq::sockopt::rcvhwm, options.rcvhwm);
    socket.set(zmq::sockopt::backlog, 1024);
    socket.set(zmq::sockopt::heartbeat_ivl, options.heartbeat_ivl_ms);
    socket.set(zmq::sockopt::heartbeat_timeout, options.heartbeat_timeout_ms);
    socket.set(zmq::sockopt::curve_server, 1);
    socket.set(zmq::sockopt::curve_secretkey, options.curve_secret_z85);
    socket.set(zmq::sockopt::zap_domain, kZapDomain);
    const int enforce = 1;
    if (zmq_setsockopt(socket.handle(), ZMQ_ZAP_ENFORCE_DOMAIN, &enforce,
                       sizeof enforce) != 0) {
      return internal::ZmqStatus("setting ZMQ_ZAP_ENFORCE_DOMAIN", zmq_errno());
    }
    // The monitor watches before the first connection can arrive.
    DOCBUS_ASSIGN_OR_RETURN(
        broker->monitor_,
        SocketMonitor::Start(context, socket, kMonitoredEvents, "broker"));
    try {
      socket.bind(options.endpoint);
    } catch (const zmq::error_t& error) {
      return internal::ZmqStatus("binding " + options.endpoint, error);
    }
    broker->endpoint_ = socket.get(zmq::sockopt::last_endpoint);
    Logger()->info("broker socket bound endpoint={}", broker->endpoint_);
    return broker;
  } catch (const zmq::error_t& error) {
    return internal::ZmqStatus("creating the broker socket", error);
  }
}

BrokerSocket::~BrokerSocket() {
  monitor_.Stop();
  socket_.close();
}

void BrokerSocket::DrainMonitor() {
  while (auto event = monitor_.Next()) {
    const int fd = static_cast<int>(event->value);
    if (event->id == ZMQ_EVENT_ACCEPTED) tracker_.OnAccepted(fd);
    if (event->id == ZMQ_EVENT_DISCONNECTED) tracker_.OnDisconnected(fd);
  }
}

void BrokerSocket::Refresh() {
  try {
    // Reading ZMQ_EVENTS makes the socket process its pending commands
    // (pipes ended, pipes attached), so a connection replaced before this
    // call has its DISCONNECTED event queued by now.
    (void)socket_.get(zmq::sockopt::events);
  } catch (const zmq::error_t&) {
    // The context is going away; sends will fail on their own.
  }
  DrainMonitor();
}

Result<std::optional<BrokerSocket::Inbound>> BrokerSocket::TryReceive() {
  try {
    while (true) {
      // Events first: a message is attributed to its descriptor's connection
      // as the monitor knew it before the message was read (never a later
      // one; connection_tracker.h).
      DrainMonitor();
      zmq::message_t routing_id;
      if (!socket_.recv(routing_id, zmq::recv_flags::dontwait)) {
        return std::optional<Inbound>();
      }
      if (!routing_id.more()) {  // cannot happen on a ROUTER; be safe
        ++malformed_;
        continue;
      }
      zmq::message_t payload;
      // The rest of a multipart message is already queued: never EAGAIN.
      if (!socket_.recv(payload, zmq::recv_flags::dontwait)) {
        ++malformed_;
        continue;
      }
      const char* user_id = zmq_msg_gets(payload.handle(), "User-Id");
      const int fd = zmq_msg_get(payload.handle(), ZMQ_SRCFD);
      Inbound in{Peer{routing_id.to_string(), tracker_.Attribute(fd)},
                 user_id == nullptr ? std::string() : std::string(user_id),
                 std::string(), 1};
      if (payload.more()) {
        zmq::message_t extra;
        do {
          if (!socket_.recv(extra, zmq::recv_flags::dontwait)) break;
          ++in.parts;
        } while (extra.more());
      } else {
        in.payload = payload.to_string();
      }
      if (in.agency_id.empty()) {
        ++malformed_;
        Logger()->error("dropped a message without a ZAP User-Id");
        continue;
      }
      return std::optional<Inbound>(std::move(in));
    }
  } catch (const zmq::error_t& error) {
    return internal::ZmqStatus("receiving on the broker socket", error);
  }
}

SendResult BrokerSocket::Send(const Peer& peer, std::string_view payload) {
  if (!tracker_.IsOpen(peer.connection)) return SendResult::kUnreachable;
  try {
    const std::string& routing_id = peer.routing_id;
    const auto first =
        socket_.send(zmq::buffer(routing_id.data(), routing_id.size()),
                     zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    if (!first) return SendResult::kWouldBlock;
    // Once the routing frame is accepted the rest of the message is atomic.
    zmq::message_t body(payload.data(), payload.size());
    if (!socket_.send(body, zmq::send_flags::dontwait)) {
      return SendResult::kWouldBlock;
    }
    return SendResult::kSent;
  } catch (const zmq::error_t& error) {
    if (error.num() != EHOSTUNREACH) {
      Logger()->error("send failed: {}",
                      internal::ZmqStatus("send", error).message());
    }
    return SendResult::kUnreachable;
  }
}

}  // namespace docbus::transport
