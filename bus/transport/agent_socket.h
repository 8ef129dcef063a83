// AgentSocket: an agent's end of the transport, a CURVE-client DEALER
// connected to the broker, whose public key is pinned. ZMQ_IMMEDIATE=1, so
// nothing is queued while there is no authenticated connection: Send reports
// kWouldBlock and the agent keeps the document in its durable outbox. A socket
// monitor tells when a handshake succeeds, so the agent re-sends Hello after
// every (re)connection (TakeReconnected). Each connection has a routing id of
// its own (routing_id.h): after a connection ends the socket is replaced, so
// the id it used is never presented again.
//
// Socket options: DEALER, CURVE client, IMMEDIATE=1, LINGER 0, SNDTIMEO 0,
// MAXMSGSIZE, RECONNECT_IVL(_MAX) backoff, ZMTP heartbeats.
//
// Thread-safety: none; one thread owns the socket (create, use, destroy).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "bus/core/status.h"
#include "bus/transport/send_result.h"
#include "bus/transport/socket_monitor.h"

namespace docbus::transport {

struct AgentSocketOptions {
  // The broker, e.g. "tcp://10.0.0.1:7100", or the brokers of one axis
  // separated by commas ("tcp://a:7100,tcp://b:7100"; they share one CURVE
  // key). One is used at a time; a connection that cannot be made, or whose
  // handshake does not complete, moves on to the next (a standby broker does
  // not listen, so only the active one answers).
  std::string endpoint;
  std::string broker_public_z85;  // pinned broker CURVE public key
  std::string public_z85;         // this agency's CURVE key pair
  std::string secret_z85;
  int64_t max_message_bytes = 64 << 20;
  int reconnect_ivl_ms = 200;
  int reconnect_ivl_max_ms = 5000;
  // ZMTP PING every second; a broker silent for 5 s (paused, or its
  // machine gone without a reset) is left for the next of the list: about
  // the time a standby takes to be sure the active one is gone (lease_ms).
  int heartbeat_ivl_ms = 1000;
  int heartbeat_timeout_ms = 5000;
  // A handshake not done by then fails (a broker that accepts TCP but does
  // not answer, e.g. a paused one).
  int handshake_ivl_ms = 5000;
};

class AgentSocket {
 public:
  using SendResult = transport::SendResult;

  // Creates the socket and its monitor and starts connecting (in the
  // background; the call does not wait for the broker). kInvalidArgument for
  // a bad key or endpoint, kInternal on other libzmq errors.
  static Result<std::unique_ptr<AgentSocket>> Connect(
      zmq::context_t& context, const AgentSocketOptions& options);

  ~AgentSocket();
  AgentSocket(const AgentSocket&) = delete;
  AgentSocket& operator=(const AgentSocket&) = delete;

  // Non-blocking. The next payload from the broker, or nullopt if none is
  // waiting; extra frames of a multipart message are drained and counted in
  // malformed(). kUnavailable if the socket/context is closed.
  Result<std::optional<std::string>> TryReceive();

  // Sends one payload with ZMQ_DONTWAIT. kWouldBlock while not connected or
  // when the queue is full; kUnreachable if the socket failed. Never blocks,
  // never throws.
  SendResult Send(std::string_view payload);

  // True once after each successful CURVE handshake (including the first):
  // the agent then (re-)sends Hello. After a connection ended, this call
  // replaces the socket (new routing id), so socket() and monitor_socket()
  // must be taken again after it.
  bool TakeReconnected();

  // Whether an authenticated connection is up, as last reported by the
  // monitor (its events are read by this call and TakeReconnected, once a
  // loop turn, not by every Send and TryReceive).
  bool connected() const;

  // Handshakes the broker refused (e.g. our key is not, or no longer, in the
  // registry). Worth logging loudly: the agent cannot work until re-enrolled.
  uint64_t auth_failures() const;

  uint64_t malformed() const { return malformed_; }

  // The endpoint of the current (or last) connection.
  const std::string& current_endpoint() const { return endpoints_[current_]; }

  // For PollReadable / zmq::poll. Polling monitor_socket() as well wakes the
  // loop as soon as the connection state changes.
  zmq::socket_t& socket() { return socket_; }
  zmq::socket_t& monitor_socket() { return monitor_.socket(); }

 private:
  AgentSocket(zmq::context_t& context, const AgentSocketOptions& options)
      : context_(&context), options_(options) {}
  // Creates the socket (a new routing id) and its monitor, and connects.
  Status Open();
  void Close();
  // Reads every pending monitor event into the state below.
  void DrainMonitor() const;
  // Connecting here failed before any handshake: with other brokers to try,
  // the next TakeReconnected opens a socket to the next one.
  void MoveOnIfOthers() const;

  zmq::context_t* context_;
  AgentSocketOptions options_;
  std::vector<std::string> endpoints_;  // options_.endpoint, split
  size_t current_ = 0;
  zmq::socket_t socket_;
  mutable SocketMonitor monitor_;
  mutable bool connected_ = false;
  mutable bool reconnected_ = false;
  mutable bool replace_ = false;  // the connection ended: open a new socket
  // Since the socket was opened, no handshake has succeeded and a connect or
  // handshake has failed: the next socket tries the next endpoint.
  mutable bool failed_here_ = false;
  mutable bool up_here_ = false;  // a handshake succeeded on this socket
  mutable uint64_t auth_failures_ = 0;
  uint64_t malformed_ = 0;
};

}  // namespace docbus::transport
