#include "bus/transport/agent_socket.h"

#include <zmq.h>

#include <cerrno>

#include "bus/core/config.h"
#include "bus/core/log.h"
#include "bus/transport/curve_keys.h"
#include "bus/transport/routing_id.h"
#include "bus/transport/zmq_status.h"

namespace docbus::transport {
namespace {

constexpr int kMonitoredEvents =
    ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
    ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED;

std::shared_ptr<spdlog::logger> Logger() {
  return ComponentLogger("transport");
}

}  // namespace

Result<std::unique_ptr<AgentSocket>> AgentSocket::Connect(
    zmq::context_t& context, const AgentSocketOptions& options) {
  if (!IsZ85Key(options.broker_public_z85) || !IsZ85Key(options.public_z85) ||
      !IsZ85Key(options.secret_z85)) {
    return Status(Code::kInvalidArgument,
                  "agent CURVE keys must be 40-character Z85 keys");
  }
  if (options.max_message_bytes <= 0) {
    return Status(Code::kInvalidArgument, "max_message_bytes must be > 0");
  }
  std::unique_ptr<AgentSocket> agent(new AgentSocket(context, options));
  agent->endpoints_ = SplitCommaList(options.endpoint);
  for (const std::string& endpoint : agent->endpoints_) {
    if (endpoint.empty()) {
      return Status(Code::kInvalidArgument,
                    "empty broker endpoint in '" + options.endpoint + "'");
    }
  }
  DOCBUS_RETURN_IF_ERROR(agent->Open());
  return agent;
}

Status AgentSocket::Open() {
  try {
    socket_ = zmq::socket_t(*context_, zmq::socket_type::dealer);
    zmq::socket_t& socket = socket_;
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndtimeo, 0);
    socket.set(zmq::sockopt::immediate, 1);
    socket.set(zmq::sockopt::maxmsgsize, options_.max_message_bytes);
    socket.set(zmq::sockopt::reconnect_ivl, options_.reconnect_ivl_ms);
    socket.set(zmq::sockopt::reconnect_ivl_max, options_.reconnect_ivl_max_ms);
    socket.set(zmq::sockopt::heartbeat_ivl, options_.heartbeat_ivl_ms);
    socket.set(zmq::sockopt::heartbeat_timeout, options_.heartbeat_timeout_ms);
    socket.set(zmq::sockopt::handshake_ivl, options_.handshake_ivl_ms);
    socket.set(zmq::sockopt::curve_serverkey, options_.broker_public_z85);
    socket.set(zmq::sockopt::curve_publickey, options_.public_z85);
    socket.set(zmq::sockopt::curve_secretkey, options_.secret_z85);
    // A routing id of our own, new for this socket: the broker opens a
    // session only under such an id, and no other agency can present it.
    const std::string routing_id = NewRoutingId();
    socket.set(zmq::sockopt::routing_id, zmq::buffer(routing_id));

    // Watch the handshakes before connecting so the first one is seen.
    DOCBUS_ASSIGN_OR_RETURN(
        monitor_,
        SocketMonitor::Start(*context_, socket, kMonitoredEvents, "agent"));
    failed_here_ = false;
    up_here_ = false;
    const std::string& endpoint = endpoints_[current_];
    try {
      socket.connect(endpoint);
    } catch (const zmq::error_t& error) {
      return internal::ZmqStatus("connecting to " + endpoint, error);
    }
  } catch (const zmq::error_t& error) {
    return internal::ZmqStatus("creating the agent socket", error);
  }
  return Status::Ok();
}

void AgentSocket::Close() {
  monitor_.Stop();
  socket_.close();
}

AgentSocket::~AgentSocket() { Close(); }

void AgentSocket::DrainMonitor() const {
  while (auto event = monitor_.Next()) {
    switch (event->id) {
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        connected_ = true;
        reconnected_ = true;
        up_here_ = true;
        Logger()->info("connected to the broker at {}", endpoints_[current_]);
        break;
      case ZMQ_EVENT_CONNECT_RETRIED:
      case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        // Nobody listens there (a standby, or a broker gone), or it does
        // not finish the handshake: with other brokers, try the next.
        MoveOnIfOthers();
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        ++auth_failures_;
        Logger()->error(
            "the broker refused this agency's CURVE key (not enrolled or "
            "revoked)");
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        Logger()->warn("handshake with the broker at {} failed (protocol)",
                       endpoints_[current_]);
        MoveOnIfOthers();
        break;
      case ZMQ_EVENT_DISCONNECTED:
        if (connected_) Logger()->warn("disconnected from the broker");
        connected_ = false;
        replace_ = true;
        // A broker that dropped us, or went silent, is likelier gone than
        // back in a moment: with others, try the next first (a standby
        // that has not taken over refuses at once, and the list comes
        // round again).
        if (endpoints_.size() > 1) failed_here_ = true;
        break;
      default:
        break;
    }
  }
}

Result<std::optional<std::string>> AgentSocket::TryReceive() {
  try {
    while (true) {
      zmq::message_t payload;
      if (!socket_.recv(payload, zmq::recv_flags::dontwait)) {
        return std::optional<std::string>();
      }
      if (!payload.more())
        return std::optional<std::string>(payload.to_string());
      zmq::message_t extra;
      do {
        if (!socket_.recv(extra, zmq::recv_flags::dontwait)) break;
      } while (extra.more());
      ++malformed_;
      Logger()->warn("dropped a multipart message from the broker");
    }
  } catch (const zmq::error_t& error) {
    return internal::ZmqStatus("receiving on the agent socket", error);
  }
}

SendResult AgentSocket::Send(std::string_view payload) {
  try {
    zmq::message_t message(payload.data(), payload.size());
    if (!socket_.send(message, zmq::send_flags::dontwait)) {
      return SendResult::kWouldBlock;
    }
    return SendResult::kSent;
  } catch (const zmq::error_t& error) {
    Logger()->error("send failed: {}",
                    internal::ZmqStatus("send", error).message());
    return SendResult::kUnreachable;
  }
}

void AgentSocket::MoveOnIfOthers() const {
  if (up_here_ || endpoints_.size() < 2) return;
  failed_here_ = true;
  replace_ = true;
}

bool AgentSocket::TakeReconnected() {
  DrainMonitor();
  if (replace_) {
    // The next connection gets a socket, and so a routing id, of its own: an
    // id that was ever used on a connection that ended is never used again.
    replace_ = false;
    if (failed_here_) {
      current_ = (current_ + 1) % endpoints_.size();
      Logger()->debug("trying the broker at {}", endpoints_[current_]);
    }
    Close();
    Status opened = Open();
    if (!opened.ok()) {
      Logger()->error("cannot reopen the broker connection (will retry): {}",
                      opened.ToString());
      replace_ = true;
    }
  }
  const bool reconnected = reconnected_;
  reconnected_ = false;
  return reconnected;
}

bool AgentSocket::connected() const {
  DrainMonitor();
  return connected_;
}

uint64_t AgentSocket::auth_failures() const {
  DrainMonitor();
  return auth_failures_;
}

}  // namespace docbus::transport
