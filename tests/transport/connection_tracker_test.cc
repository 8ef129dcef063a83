#include "bus/transport/connection_tracker.h"

#include <catch2/catch.hpp>

namespace docbus::transport {
namespace {

TEST_CASE("a connection is open from ACCEPTED until its DISCONNECTED") {
  ConnectionTracker t;
  CHECK(t.Attribute(7) == kNoConnection);  // never seen
  t.OnAccepted(7);
  const ConnectionId first = t.Attribute(7);
  REQUIRE(first != kNoConnection);
  CHECK(t.IsOpen(first));
  t.OnDisconnected(7);
  CHECK_FALSE(t.IsOpen(first));
  CHECK_FALSE(t.IsOpen(kNoConnection));
}

TEST_CASE(
    "a reused descriptor names a new connection; the old one stays "
    "ended") {
  ConnectionTracker t;
  t.OnAccepted(7);
  const ConnectionId first = t.Attribute(7);
  t.OnDisconnected(7);
  t.OnAccepted(7);
  const ConnectionId second = t.Attribute(7);
  REQUIRE(second != kNoConnection);
  CHECK(second != first);
  CHECK(t.IsOpen(second));
  CHECK_FALSE(t.IsOpen(first));
  // Another descriptor's connections are apart.
  t.OnAccepted(8);
  CHECK(t.Attribute(8) != second);
  t.OnDisconnected(8);
  CHECK(t.IsOpen(second));
}

TEST_CASE(
    "a message read after its connection's DISCONNECTED and before "
    "the next ACCEPTED belongs to no open connection") {
  ConnectionTracker t;
  t.OnAccepted(7);
  t.OnDisconnected(7);
  // Still queued from the ended connection, or from a new one whose
  // ACCEPTED has not been read yet: either way, not sent to.
  CHECK(t.Attribute(7) == kNoConnection);
  t.OnAccepted(7);
  const ConnectionId next = t.Attribute(7);
  CHECK(t.IsOpen(next));
}

TEST_CASE(
    "a DISCONNECTED repeated for one connection does not end its "
    "successor in advance") {
  ConnectionTracker t;
  t.OnAccepted(7);
  t.OnDisconnected(7);
  t.OnDisconnected(7);
  t.OnAccepted(7);
  const ConnectionId next = t.Attribute(7);
  REQUIRE(next != kNoConnection);
  CHECK(t.IsOpen(next));
}

TEST_CASE("a negative descriptor (not from a socket) is no connection") {
  ConnectionTracker t;
  t.OnAccepted(-1);
  CHECK(t.Attribute(-1) == kNoConnection);
}

}  // namespace
}  // namespace docbus::transport
