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
  try {
    zmq::socket_t socket(context, zmq::socket_type::router);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndtimeo, 0);
    socket.set(zmq::sockopt::router_mandatory, 1);
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
    try {
      socket.bind(options.endpoint);
    } catch (const zmq::error_t& error) {
      return internal::ZmqStatus("binding " + options.endpoint, error);
    }
    std::string endpoint = socket.get(zmq::sockopt::last_endpoint);
    Logger()->info("broker socket bound endpoint={}", endpoint);
    return std::unique_ptr<BrokerSocket>(
        new BrokerSocket(std::move(socket), std::move(endpoint)));
  } catch (const zmq::error_t& error) {
    return internal::ZmqStatus("creating the broker socket", error);
  }
}

Result<std::optional<BrokerSocket::Inbound>> BrokerSocket::TryReceive() {
  try {
    while (true) {
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
      if (payload.more()) {
        size_t frames = 2;
        zmq::message_t extra;
        do {
          if (!socket_.recv(extra, zmq::recv_flags::dontwait)) break;
          ++frames;
        } while (extra.more());
        ++malformed_;
        Logger()->warn("dropped a {}-frame message; expected 1 payload frame",
                       frames - 1);
        continue;
      }
      const char* user_id = zmq_msg_gets(payload.handle(), "User-Id");
      if (user_id == nullptr || *user_id == '\0') {
        ++malformed_;
        Logger()->error("dropped a message without a ZAP User-Id");
        continue;
      }
      return std::optional<Inbound>(Inbound{
          routing_id.to_string(), std::string(user_id), payload.to_string()});
    }
  } catch (const zmq::error_t& error) {
    return internal::ZmqStatus("receiving on the broker socket", error);
  }
}

SendResult BrokerSocket::Send(std::string_view routing_id,
                              std::string_view payload) {
  try {
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
