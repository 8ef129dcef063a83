// The one file of bus/core that uses cpp-httplib.
#include "bus/core/http_listener.h"

#include <httplib.h>
#include <sys/socket.h>

#include <charconv>
#include <exception>

namespace docbus {

Result<HttpListenAddress> ParseHttpListen(std::string_view listen,
                                          std::string_view key) {
  const auto bad = [&](std::string_view why) {
    return Status(Code::kInvalidArgument,
                  std::string(key) + " '" + std::string(listen.substr(0, 80)) +
                      "': " + std::string(why));
  };
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return bad("is not <host>:<port>");
  }
  std::string_view host = listen.substr(0, colon);
  const std::string_view port_text = listen.substr(colon + 1);
  int port = -1;
  const auto [end, ec] = std::from_chars(
      port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() ||
      port < 0 || port > 65535) {
    return bad("has no valid port (0 to 65535)");
  }
  HttpListenAddress address;
  address.port = port;
  if (host == "localhost") host = "127.0.0.1";
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    address.host = std::string(host.substr(1, host.size() - 2));
    address.url_host = std::string(host);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("an IPv6 host is written in brackets, e.g. [::1]:8080");
  } else {
    address.host = std::string(host);
    address.url_host = std::string(host);
  }
  return address;
}

Result<std::unique_ptr<HttpListener>> HttpListener::Start(
    std::unique_ptr<httplib::Server> server, const HttpListenAddress& address,
    std::string_view key) {
  const std::string where = std::string(key) + " " + address.url_host + ":" +
                            std::to_string(address.port);
  // SO_REUSEADDR (a restart binds again while old connections linger in
  // TIME_WAIT) but not SO_REUSEPORT: a port another process listens on is
  // refused.
  server->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  int bound = -1;
  try {
    if (address.port == 0) {
      bound = server->bind_to_any_port(address.host);
    } else {
      bound = server->bind_to_port(address.host, address.port) ? address.port
                                                               : -1;
    }
  } catch (const std::exception& e) {
    return Status(Code::kUnavailable, where + ": " + e.what());
  }
  if (bound <= 0) {
    return Status(Code::kUnavailable,
                  where + ": cannot bind (in use or not a local address)");
  }
  std::unique_ptr<HttpListener> listener(new HttpListener());
  listener->server_ = std::move(server);
  listener->url_ = "http://" + address.url_host + ":" + std::to_string(bound);
  httplib::Server& s = *listener->server_;
  std::atomic<bool>& ended = listener->loop_ended_;
  listener->thread_ = std::thread([&s, &ended] {
    s.listen_after_bind();
    ended = true;
  });
  // stop() only works once the accept loop runs, so wait for it (it takes
  // microseconds); a loop that already ended will never run.
  while (!s.is_running() && !ended.load()) std::this_thread::yield();
  if (ended.load()) {
    return Status(Code::kUnavailable,
                  where + ": the listener stopped before serving");
  }
  return listener;
}

HttpListener::~HttpListener() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace docbus
