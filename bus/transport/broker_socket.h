// BrokerSocket: the broker's end of the transport, a CURVE-server ROUTER that
// every agent connects to. Identity comes only from the ZAP handler (the
// User-Id of the connection, i.e. the agency id), never from the routing id,
// which the connecting peer chooses. A send names the connection as well as
// the routing id (Peer), and a send to a connection that has ended is refused:
// another peer presenting the same routing id later never receives it.
// Connections are followed through a socket monitor (ConnectionTracker); see
// bus/transport/README.md, "Who gets a frame".
// A ZapHandler must run in the same context: ZAP_ENFORCE_DOMAIN is set, so
// without one every client is refused.
//
// Socket options: ROUTER, CURVE server, zap_domain "docbus",
// ZAP_ENFORCE_DOMAIN=1, ROUTER_MANDATORY=1, ROUTER_HANDOVER=0 (a second
// connection under a routing id in use is refused), MAXMSGSIZE (a peer sending
// more is disconnected), LINGER 0, SNDTIMEO 0, ZMTP heartbeats, BACKLOG 1024.
//
// Thread-safety: none; one thread owns the socket (create, use, destroy).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "bus/core/status.h"
#include "bus/transport/connection_tracker.h"
#include "bus/transport/peer.h"
#include "bus/transport/send_result.h"
#include "bus/transport/socket_monitor.h"

namespace docbus::transport {

struct BrokerSocketOptions {
  std::string endpoint;          // e.g. "tcp://127.0.0.1:*"
  std::string curve_secret_z85;  // the broker's CURVE secret key
  int64_t max_message_bytes = 64 << 20;
  int heartbeat_ivl_ms = 5000;
  int heartbeat_timeout_ms = 15000;
  int sndhwm = 10000;
  int rcvhwm = 10000;
};

class BrokerSocket {
 public:
  using SendResult = transport::SendResult;

  // One message from an authenticated agency.
  struct Inbound {
    Peer peer;              // where answers go; peer.connection may be
                            // kNoConnection (it has ended: answers are dropped)
    std::string agency_id;  // the ZAP User-Id: who really sent it
    std::string payload;    // empty when parts > 1
    size_t parts = 1;       // payload frames; more than one is malformed
  };

  // Creates the socket and binds it. kInvalidArgument for a bad key or
  // endpoint, kUnavailable if the address cannot be bound (e.g. in use),
  // kInternal on other libzmq errors; the text keeps libzmq's message.
  static Result<std::unique_ptr<BrokerSocket>> Bind(
      zmq::context_t& context, const BrokerSocketOptions& options);

  ~BrokerSocket();
  BrokerSocket(const BrokerSocket&) = delete;
  BrokerSocket& operator=(const BrokerSocket&) = delete;

  // The bound endpoint, with a wildcard port replaced by the real one.
  const std::string& endpoint() const { return endpoint_; }

  // Non-blocking. The next message, or nullopt if none is waiting. A message
  // of more than one payload frame is returned with `parts` > 1 and no
  // payload, for the caller to refuse; one without a User-Id (cannot happen
  // behind ZAP) is drained, counted (malformed()) and skipped. kUnavailable
  // if the socket/context is closed.
  Result<std::optional<Inbound>> TryReceive();

  // Takes in what the socket monitor has said about connections ending, after
  // letting the socket act on its pending commands. Call it before a round of
  // sends, so a connection that ended before the round is known as ended.
  void Refresh();

  // True while `connection` has not been seen to end.
  bool IsOpen(ConnectionId connection) const {
    return tracker_.IsOpen(connection);
  }

  // Sends one payload to `peer` with ZMQ_DONTWAIT. kUnreachable if its
  // connection has ended (as far as the last Refresh or TryReceive knows),
  // the routing id is unknown or gone, or the socket failed; kWouldBlock if
  // the peer's queue is full. Never blocks, never throws.
  SendResult Send(const Peer& peer, std::string_view payload);

  // Messages skipped by TryReceive because of their shape.
  uint64_t malformed() const { return malformed_; }

  // For PollReadable / zmq::poll.
  zmq::socket_t& socket() { return socket_; }

 private:
  BrokerSocket() = default;
  // Reads every pending monitor event into tracker_.
  void DrainMonitor();

  zmq::socket_t socket_;
  SocketMonitor monitor_;
  ConnectionTracker tracker_;
  std::string endpoint_;
  uint64_t malformed_ = 0;
};

}  // namespace docbus::transport
