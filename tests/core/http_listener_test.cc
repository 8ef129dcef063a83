// The HTTP listener both daemons serve on: it answers, it refuses a port
// another listener holds (instead of sharing it or spinning), and a stop
// right after a start returns.
#include "bus/core/http_listener.h"

#include <httplib.h>

#include <catch2/catch.hpp>

namespace docbus {
namespace {

std::unique_ptr<httplib::Server> HelloServer() {
  auto server = std::make_unique<httplib::Server>();
  server->Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hello\n", "text/plain");
  });
  return server;
}

int PortOf(const std::string& url) {
  return std::stoi(url.substr(url.rfind(':') + 1));
}

TEST_CASE("the listener serves on the port it bound and stops cleanly",
          "[http]") {
  auto address = ParseHttpListen("127.0.0.1:0", "http.listen");
  REQUIRE(address.ok());
  auto listener = HttpListener::Start(HelloServer(), *address, "http.listen");
  REQUIRE(listener.ok());
  httplib::Client client((*listener)->url());
  auto res = client.Get("/hello");
  REQUIRE(res);
  CHECK(res->body == "hello\n");
  listener->reset();  // returns: the accept loop was running
}

TEST_CASE("a listener whose port is taken fails cleanly, naming its key",
          "[http]") {
  auto any = ParseHttpListen("127.0.0.1:0", "http.listen");
  REQUIRE(any.ok());
  auto first = HttpListener::Start(HelloServer(), *any, "http.listen");
  REQUIRE(first.ok());
  HttpListenAddress taken = *any;
  taken.port = PortOf((*first)->url());
  auto second = HttpListener::Start(HelloServer(), taken, "http.listen");
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == Code::kUnavailable);
  CHECK_THAT(second.status().message(), Catch::Contains("http.listen"));
  // The first one still answers alone.
  httplib::Client client((*first)->url());
  auto res = client.Get("/hello");
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("listen addresses are parsed strictly", "[http]") {
  auto v4 = ParseHttpListen("localhost:8080", "http.listen");
  REQUIRE(v4.ok());
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 8080);
  auto v6 = ParseHttpListen("[::1]:0", "http.listen");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->url_host == "[::1]");
  for (const char* bad : {"127.0.0.1", ":80", "127.0.0.1:http",
                          "127.0.0.1:65536", "127.0.0.1:-1", "::1:80"}) {
    auto parsed = ParseHttpListen(bad, "http.listen");
    CHECK(parsed.status().code() == Code::kInvalidArgument);
    CHECK_THAT(parsed.status().message(), Catch::Contains("http.listen"));
  }
}

}  // namespace
}  // namespace docbus
