// Hello: opens (or replaces) the agency's session on this connection.
#include "bus/broker/checkpointer.h"
#include "bus/broker/handlers.h"

namespace docbus::broker {

void HandleHello(Turn& turn, const Inbound& in, const v1::Hello& hello) {
  BrokerContext& ctx = turn.ctx;
  if (hello.protocol_version() > 1) {
    turn.AnswerError(in.routing_id, v1::REASON_INVALID_FIELD,
                     "protocol_version " +
                         std::to_string(hello.protocol_version()) +
                         " is not supported (1)");
    return;
  }
  // A new Hello replaces the session: what was in flight is sent again on
  // this connection, within the new credit.
  Session& s = ctx.sessions.Open(in.agency_id, in.routing_id,
                                 static_cast<int64_t>(hello.credit_count()),
                                 static_cast<int64_t>(hello.credit_bytes()),
                                 ctx.options.credit_count_max, turn.now_ms);
  ctx.log->info("session opened agency={} credit_count={} credit_bytes={}",
                in.agency_id, s.credit_count,
                s.bytes_limited ? s.credit_bytes : -1);
  v1::Frame frame;
  v1::Welcome* welcome = frame.mutable_welcome();
  welcome->set_agency_id(in.agency_id);
  welcome->set_max_frame_bytes(
      static_cast<uint64_t>(ctx.options.max_frame_bytes));
  welcome->set_log_origin(ctx.options.origin);
  turn.Answer(in.routing_id, frame);
}

}  // namespace docbus::broker
