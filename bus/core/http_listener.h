// HttpListener: runs a daemon's HTTP server (cpp-httplib, routes already
// added by its owner) on its own thread, for the broker's status listener and
// the agent's API. One place for what both need: parsing "host:port", binding
// so that a port in use is refused (httplib's default SO_REUSEPORT would let
// a second daemon share the port and answer half the requests), waiting for
// the accept loop to run so that stopping right after Start cannot hang, and
// not waiting forever when that loop ends before it ever ran.
//
// Thread-safety: Start and the destructor from the owning thread; the
// server's handlers run on its own threads; url() from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "bus/core/status.h"

namespace httplib {
class Server;
}

namespace docbus {

struct HttpListenAddress {
  std::string host;      // as bind() takes it: "127.0.0.1", "::1", "0.0.0.0"
  int port = 0;          // 0 = any free port
  std::string url_host;  // as a URL spells it: "[::1]"
};

// Parses "<host>:<port>" ("[::1]:8080" for IPv6; "localhost" is taken as
// 127.0.0.1), port 0..65535. kInvalidArgument naming `key` otherwise.
Result<HttpListenAddress> ParseHttpListen(std::string_view listen,
                                          std::string_view key);

class HttpListener {
 public:
  // Binds `address` and serves `server` until destroyed. Ok once the accept
  // loop runs. kUnavailable when the address cannot be bound (in use, not a
  // local address) or the loop ended before serving; `key` names the config
  // key in the message.
  static Result<std::unique_ptr<HttpListener>> Start(
      std::unique_ptr<httplib::Server> server,
      const HttpListenAddress& address, std::string_view key);
  // Stops the server and waits for the requests in progress.
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // "http://<host>:<bound port>".
  const std::string& url() const { return url_; }

 private:
  HttpListener() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> loop_ended_{false};
  std::string url_;
};

}  // namespace docbus
