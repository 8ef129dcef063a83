// HandleFrame: registry, parse and session checks, then the handler of the
// frame type.
#include "bus/broker/broker_metrics.h"
#include "bus/broker/handlers.h"

namespace docbus::broker {

std::optional<SignedPart> SignedPartOf(const v1::Frame& frame) {
  switch (frame.body_case()) {
    case v1::Frame::kSubmit:
      return SignedPart{frame.submit().document().header(),
                        frame.submit().document().signature()};
    case v1::Frame::kSubmitStatus:
      return SignedPart{frame.submit_status().status().body(),
                        frame.submit_status().status().signature()};
    case v1::Frame::kAck:
      if (!frame.ack().has_receipt()) return std::nullopt;
      return SignedPart{frame.ack().receipt().body(),
                        frame.ack().receipt().signature()};
    default:
      return std::nullopt;
  }
}

bool MayAct(const registry::AgencyRegistry& registry,
            std::string_view agency_id) {
  const registry::Agency* agency = registry.Find(agency_id);
  return agency != nullptr && agency->may_exchange();
}

void HandleFrame(Turn& turn, const Inbound& in, const v1::Frame* parsed) {
  BrokerContext& ctx = turn.ctx;
  const bool hello =
      parsed != nullptr && parsed->body_case() == v1::Frame::kHello;
  Session* session = hello ? nullptr : ctx.sessions.Find(in.agency_id);
  // A session is opened only for an agency the registry lets act, and a
  // reload closes the others', so the registry is asked only when there is
  // none: an agency let in when it connected, revoked or removed since.
  if (session == nullptr && !MayAct(*ctx.registry, in.agency_id)) {
    ctx.metrics.Add(metric::kFrameErrors,
                    metric::ReasonLabel(Code::kAgencyRevoked));
    ctx.log->debug("frame from a revoked agency refused agency={}",
                   in.agency_id);
    turn.AnswerError(in.peer, v1::REASON_AGENCY_REVOKED,
                     "agency " + in.agency_id +
                         " is revoked, disabled or not registered");
    return;
  }
  if (parsed == nullptr) {
    ctx.metrics.Add(metric::kMalformed);
    ctx.counters.malformed++;
    ctx.log->warn("malformed frame agency={} bytes={}", in.agency_id,
                  in.frame_bytes);
    turn.AnswerError(in.peer, v1::REASON_MALFORMED,
                     in.parts > 1 ? "expected one payload frame, got " +
                                        std::to_string(in.parts)
                                  : std::string("frame does not parse"));
    return;
  }
  const v1::Frame& frame = *parsed;
  if (hello) {
    HandleHello(turn, in, frame.hello());
    return;
  }
  if (session == nullptr) {
    ctx.metrics.Add(metric::kFrameErrors,
                    metric::ReasonLabel(Code::kUnavailable));
    turn.AnswerError(in.peer, v1::REASON_UNAVAILABLE, "hello first");
    return;
  }
  session->blocked = false;  // the agent is reading and writing again
  switch (frame.body_case()) {
    case v1::Frame::kCredit:
      HandleCredit(turn, in, *session, frame.credit());
      break;
    case v1::Frame::kSubmit:
      HandleSubmit(turn, in, frame.submit());
      break;
    case v1::Frame::kSubmitStatus:
      HandleSubmitStatus(turn, in, frame.submit_status());
      break;
    case v1::Frame::kAck:
      HandleAck(turn, in, frame.ack());
      break;
    case v1::Frame::kRefuse:
      HandleRefuse(turn, in, frame.refuse());
      break;
    case v1::Frame::kCheckpointRequest:
      HandleCheckpointRequest(turn, in, frame.checkpoint_request());
      break;
    case v1::Frame::kProofRequest:
      HandleProofRequest(turn, in, frame.proof_request());
      break;
    case v1::Frame::kPing:
      HandlePing(turn, in, frame.ping());
      break;
    case v1::Frame::kUploadChunk:
      HandleUploadChunk(turn, in, frame.upload_chunk());
      break;
    case v1::Frame::kFetchChunk:
      HandleFetchChunk(turn, in, frame.fetch_chunk());
      break;
    case v1::Frame::kRegistryRequest:
      HandleRegistryRequest(turn, in, frame.registry_request());
      break;
    default:
      // Broker-to-agent frames, or an empty frame: not something to handle.
      ctx.metrics.Add(metric::kMalformed);
      ctx.counters.malformed++;
      ctx.log->warn("unexpected frame type {} agency={}",
                    static_cast<int>(frame.body_case()), in.agency_id);
      turn.AnswerError(in.peer, v1::REASON_MALFORMED,
                       "frame type " + std::to_string(frame.body_case()) +
                           " is not sent by agents");
      break;
  }
}

std::optional<store::DeliveryRecord> OwnDelivery(Turn& turn, const Inbound& in,
                                                 uint64_t delivery_id,
                                                 std::string_view what) {
  auto delivery = turn.ctx.store.GetDelivery(static_cast<int64_t>(delivery_id));
  if (!delivery.ok()) {
    turn.Fail(delivery.status());
    return std::nullopt;
  }
  if (!delivery->has_value() || (*delivery)->recipient != in.agency_id) {
    // Unknown ids and other agencies' deliveries get the same answer, so an
    // agency learns nothing about deliveries that are not its own.
    turn.ctx.metrics.Add(metric::kFrameErrors,
                         metric::ReasonLabel(Code::kNotPermitted));
    turn.ctx.counters.not_permitted++;
    turn.ctx.log->warn(
        "{} of a delivery not addressed to it agency={} delivery_id={}", what,
        in.agency_id, delivery_id);
    turn.AnswerError(in.peer, v1::REASON_NOT_PERMITTED,
                     std::string(what) + " of delivery " +
                         std::to_string(delivery_id) +
                         ": not a delivery to this agency");
    return std::nullopt;
  }
  return std::move(**delivery);
}

}  // namespace docbus::broker
