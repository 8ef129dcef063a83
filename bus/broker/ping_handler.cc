// Ping: answered with Pong carrying the same nonce (application presence).
#include "bus/broker/handlers.h"

namespace docbus::broker {

void HandlePing(Turn& turn, const Inbound& in, const v1::Ping& ping) {
  v1::Frame frame;
  frame.mutable_pong()->set_nonce(ping.nonce());
  turn.Answer(in.peer, frame);
}

}  // namespace docbus::broker
