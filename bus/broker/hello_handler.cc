// Hello: opens (or replaces) the agency's session on this connection.
#include "bus/broker/broker_metrics.h"
#include "bus/broker/checkpointer.h"
#include "bus/broker/handlers.h"
#include "bus/transport/routing_id.h"

namespace docbus::broker {

void HandleHello(Turn& turn, const Inbound& in, const v1::Hello& hello) {
  BrokerContext& ctx = turn.ctx;
  if (hello.protocol_version() > 1) {
    turn.AnswerError(in.peer, v1::REASON_INVALID_FIELD,
                     "protocol_version " +
                         std::to_string(hello.protocol_version()) +
                         " is not supported (1)");
    return;
  }
  if (!transport::IsAgentRoutingId(in.peer.routing_id)) {
    // Deliveries follow the session's routing id; one that another agency
    // could know or guess (ZeroMQ's own, or a chosen name) is not accepted.
    ctx.metrics.Add(metric::kFrameErrors,
                    metric::ReasonLabel(Code::kInvalidField));
    ctx.log->warn("hello refused: routing id is not an agent's agency={}",
                  in.agency_id);
    turn.AnswerError(in.peer, v1::REASON_INVALID_FIELD,
                     "the connection's routing id must be " +
                         std::to_string(transport::kRoutingIdBytes) +
                         " random bytes, the first not 0");
    return;
  }
  if (in.peer.connection == transport::kNoConnection) {
    // The Hello came on a connection that has ended (one that ends later is
    // closed by the loop before anything is sent): a session there could only
    // send to whoever presents its routing id next. Its agent says Hello
    // again on its next connection.
    ctx.log->info("hello on an ended connection ignored agency={}",
                  in.agency_id);
    return;
  }
  // A new Hello replaces the session: what was in flight is sent again on
  // this connection, within the new credit.
  Session& s = ctx.sessions.Open(in.agency_id, in.peer,
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
  welcome->set_registry_serial(ctx.registry_serial);
  turn.Answer(in.peer, frame);
}

}  // namespace docbus::broker
