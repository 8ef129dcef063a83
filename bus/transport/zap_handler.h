// ZapHandler: the ZeroMQ Authentication Protocol (RFC 27) handler that decides
// which CURVE client keys may connect to the broker, and under which agency
// id. It binds inproc://zeromq.zap.01 in the given context (so it must be
// started before any CURVE server socket binds) and answers each handshake on
// its own thread by calling the Authenticator. Only mechanism "CURVE" is ever
// accepted. An allowed client gets status 200 with User-Id = decision.user_id,
// which the server side reads per message (BrokerSocket::Inbound::agency_id).
//
// Thread-safety: Start/~ZapHandler from the owning thread; SetAuthenticator,
// refused(), allowed() and running() from any thread. The Authenticator runs
// on the handler thread and must be fast (in-memory lookup): it is on the
// handshake path of every connection.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <zmq.hpp>

#include "bus/core/status.h"

namespace docbus::transport {

struct ZapDecision {
  bool allowed = false;
  std::string user_id;  // the agency id when allowed
  std::string reason;   // why not, when refused (logged, sent as status text)
};

// Decides on one handshake. `client_public_z85` is the client's long-term
// CURVE public key (40-char Z85); `peer_address` its IP address.
using Authenticator = std::function<ZapDecision(
    std::string_view client_public_z85, std::string_view peer_address)>;

class ZapHandler {
 public:
  // Binds the ZAP endpoint and starts the handler thread; the endpoint is
  // bound when this returns. kFailedPrecondition if another handler is
  // already bound in `context`, kInternal on other libzmq errors.
  // `context` must outlive the handler.
  static Result<std::unique_ptr<ZapHandler>> Start(zmq::context_t& context,
                                                   Authenticator authenticator);

  // Stops and joins the handler thread and releases the ZAP endpoint (a new
  // handler may start in the same context at once). Handshakes afterwards
  // are refused (ZAP_ENFORCE_DOMAIN on the server socket).
  ~ZapHandler();

  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  // Replaces the Authenticator atomically (e.g. after a registry reload); the
  // next handshake uses the new one.
  void SetAuthenticator(Authenticator authenticator);

  // Handshakes refused (unknown key, wrong mechanism, malformed request,
  // Authenticator refusal or exception) and allowed since Start.
  uint64_t refused() const { return refused_.load(); }
  uint64_t allowed() const { return allowed_.load(); }

  // False once the handler thread has ended for any reason other than the
  // destructor (e.g. the context was shut down); the broker treats that as
  // fatal.
  bool running() const { return running_.load(); }

 private:
  ZapHandler() = default;
  void Run(zmq::socket_t zap, zmq::socket_t control);
  void Loop(zmq::socket_t& zap, zmq::socket_t& control);
  void Answer(zmq::socket_t& zap);
  std::shared_ptr<const Authenticator> CurrentAuthenticator() const;

  zmq::context_t* context_ = nullptr;
  std::string control_endpoint_;
  zmq::socket_t stop_sender_;  // PAIR, used only by the owning thread
  std::thread thread_;
  mutable std::mutex mu_;
  std::shared_ptr<const Authenticator> authenticator_;  // guarded by mu_
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> allowed_{0};
  std::atomic<bool> running_{false};
};

}  // namespace docbus::transport
